"""Deterministic synthetic candidates and CV files for demos and end-to-end tests.

``generate_demo_applications(out_dir)`` writes 20 CVs (4 per example posting in
``examples/postings/``) and returns one :class:`DemoApplication` per CV. Every person and
company is fictional. Emails use the reserved ``example.com`` / ``example.org`` domains; US
phone numbers use the fictional 555-01xx range; the others are made-up, well-formed numbers
that ``phonenumbers.is_valid_number`` accepts (a parser that drops
unassigned ranges would otherwise lose them).

Output is byte-for-byte deterministic: the PDF creation date, the DOCX core properties and the
timestamps inside the DOCX zip container are fixed, so the same call always writes the same
files.

PDFs use fpdf2's core Helvetica font, which only covers Windows-1252 (latin-1 plus typographic
characters such as "–", "•" and "·"). The CV text below therefore sticks to that character set;
``render_pdf`` raises if it does not.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import docx
from docx.shared import Pt
from fpdf import FPDF

__all__ = [
    "DEMO_POSTING_SLUGS",
    "DemoApplication",
    "generate_demo_applications",
    "render_docx",
    "render_pdf",
]

Channel = Literal["smtp", "form"]
Fit = Literal["strong", "possible", "weak"]

DEMO_POSTING_SLUGS: tuple[str, ...] = (
    "backend-engineer",
    "senior-accountant",
    "registered-nurse",
    "product-designer",
    "account-executive",
)

# Section headings recognised by the renderers (rendered bold, with spacing).
SECTION_HEADINGS: frozenset[str] = frozenset(
    {"Summary", "Experience", "Education", "Certifications", "Skills", "Languages"}
)

_FIXED_TIMESTAMP = datetime(2024, 1, 15, 9, 0, 0, tzinfo=UTC)
_ZIP_DATE_TIME = (2024, 1, 15, 9, 0, 0)


@dataclass(frozen=True)
class DemoApplication:
    posting_slug: str
    name: str
    email: str
    phone: str
    cv_path: Path
    channel: Channel
    expected_fit: Fit


@dataclass(frozen=True)
class _Job:
    title: str
    company: str
    dates: str
    bullets: tuple[str, ...]


@dataclass(frozen=True)
class _Candidate:
    posting_slug: str
    expected_fit: Fit
    name: str
    email: str
    phone: str
    location: str
    headline: str
    summary: str
    jobs: tuple[_Job, ...]
    education: tuple[str, ...]
    skills: tuple[str, ...]
    languages: tuple[str, ...]
    certifications: tuple[str, ...] = ()


# Four candidates per posting: one strong fit, two partial fits, one poor fit (usually a CV
# from a completely different field). Order matters: file format and channel follow the index.
_CANDIDATES: tuple[_Candidate, ...] = (
    # --- backend-engineer -------------------------------------------------------------------
    _Candidate(
        posting_slug="backend-engineer",
        expected_fit="strong",
        name="Priya Raman",
        email="priya.raman@example.com",
        phone="+1 415 555 0134",
        location="Berlin, Germany",
        headline="Senior Backend Engineer",
        summary=(
            "Backend engineer with 8 years of experience building event-driven systems in "
            "Python. I design PostgreSQL schemas, run Kafka pipelines in production and enjoy "
            "mentoring engineers through code review and design documents."
        ),
        jobs=(
            _Job(
                "Senior Backend Engineer",
                "Parcelwise GmbH, Berlin",
                "Jan 2019 – Present",
                (
                    "Built the shipment tracking pipeline in Python (FastAPI, asyncio) consuming "
                    "25 million Kafka events a day.",
                    "Redesigned the PostgreSQL schema and indexes for the billing service, "
                    "cutting p95 query latency from 900 ms to 60 ms.",
                    "Moved 14 services to Docker and Kubernetes (EKS) with Terraform on AWS.",
                    "Mentored three engineers; introduced design documents and pytest coverage "
                    "gates in CI/CD.",
                ),
            ),
            _Job(
                "Backend Engineer",
                "Kettle Analytics, San Francisco",
                "Jun 2015 – Dec 2018",
                (
                    "Developed REST APIs in Python (Django) on PostgreSQL for a B2B reporting "
                    "product.",
                    "Introduced Redis caching and Celery workers for report generation.",
                    "Set up Prometheus and Grafana dashboards and took part in on-call.",
                ),
            ),
        ),
        education=("B.Tech. in Computer Science – Anna University, Chennai (2011 – 2015)",),
        skills=(
            "Python",
            "FastAPI",
            "Django",
            "asyncio",
            "PostgreSQL",
            "Kafka",
            "Redis",
            "Docker",
            "Kubernetes",
            "Terraform",
            "AWS",
            "pytest",
            "CI/CD",
            "Prometheus",
            "Grafana",
        ),
        languages=("English (fluent)", "Tamil (native)", "German (B1)"),
    ),
    _Candidate(
        posting_slug="backend-engineer",
        expected_fit="possible",
        name="Tomás Oliveira",
        email="tomas.oliveira@example.org",
        phone="+351 912 345 678",
        location="Porto, Portugal",
        headline="Backend Developer (Java / Kotlin)",
        summary=(
            "Backend developer with 6 years of experience, mostly on the JVM. I build "
            "microservices in Java and Kotlin with Spring Boot and have recently started "
            "writing internal tools in Python."
        ),
        jobs=(
            _Job(
                "Backend Developer",
                "Marévia Seguros, Porto",
                "Mar 2020 – Present",
                (
                    "Develop policy and claims microservices in Java and Kotlin (Spring Boot) "
                    "on MySQL.",
                    "Integrated services through RabbitMQ; helped evaluate a move to Kafka.",
                    "Wrote Python scripts for data migrations and reporting.",
                ),
            ),
            _Job(
                "Software Developer",
                "Atlantico Digital, Lisbon",
                "2018 – 2020",
                (
                    "Maintained a Java EE e-commerce platform and its Oracle database.",
                    "Containerised the build with Docker and Jenkins.",
                ),
            ),
        ),
        education=("MSc in Informatics Engineering – University of Porto (2016 – 2018)",),
        skills=(
            "Java",
            "Kotlin",
            "Spring Boot",
            "MySQL",
            "Oracle",
            "RabbitMQ",
            "Python",
            "Docker",
            "Jenkins",
            "Git",
        ),
        languages=("Portuguese (native)", "English (fluent)", "Spanish (intermediate)"),
    ),
    _Candidate(
        posting_slug="backend-engineer",
        expected_fit="possible",
        name="Hannah Becker",
        email="hannah.becker@example.com",
        phone="+49 151 23456789",
        location="Hamburg, Germany",
        headline="Data Engineer",
        summary=(
            "Data engineer with 3 years of experience in Python and SQL. I build batch and "
            "streaming pipelines with Airflow, Spark and Kafka and would like to move closer "
            "to backend service development."
        ),
        jobs=(
            _Job(
                "Data Engineer",
                "Nordlicht Energie, Hamburg",
                "Sep 2021 – Present",
                (
                    "Built Airflow DAGs in Python loading smart-meter data into PostgreSQL "
                    "and Snowflake.",
                    "Wrote a Kafka consumer that streams meter readings into a Spark job.",
                    "Packaged pipelines as Docker images deployed by GitLab CI.",
                ),
            ),
            _Job(
                "Working Student, Business Intelligence",
                "Hafenblick Logistik, Hamburg",
                "2019 – 2021",
                ("Built Power BI dashboards and SQL reports for warehouse operations.",),
            ),
        ),
        education=("BSc in Business Informatics – University of Hamburg (2017 – 2021)",),
        skills=(
            "Python",
            "SQL",
            "PostgreSQL",
            "Apache Airflow",
            "Apache Spark",
            "Kafka",
            "Snowflake",
            "Docker",
            "GitLab CI",
            "Power BI",
        ),
        languages=("German (native)", "English (fluent)"),
    ),
    _Candidate(
        posting_slug="backend-engineer",
        expected_fit="weak",
        name="Grace Mensah",
        email="grace.mensah@example.org",
        phone="+44 7911 123456",
        location="Manchester, United Kingdom",
        headline="Registered Nurse",
        summary=(
            "Registered nurse with 7 years of experience on acute medical wards. Calm under "
            "pressure and organised; I have recently become interested in healthcare "
            "technology."
        ),
        jobs=(
            _Job(
                "Senior Staff Nurse, Acute Medical Unit",
                "Northgate General Hospital, Manchester",
                "Apr 2019 – Present",
                (
                    "Coordinate care for up to 8 patients per shift and supervise student nurses.",
                    "Super-user for the ward's electronic patient record roll-out.",
                ),
            ),
            _Job(
                "Staff Nurse",
                "Eastbrook Community Hospital, Leeds",
                "2016 – 2019",
                ("Delivered post-operative care on a surgical ward.",),
            ),
        ),
        education=("BSc (Hons) Adult Nursing – University of Leeds (2013 – 2016)",),
        certifications=("Basic Life Support (BLS)", "Immediate Life Support (ILS)"),
        skills=(
            "Patient assessment",
            "Medication administration",
            "BLS",
            "Electronic patient records",
            "Microsoft Excel",
            "Team leadership",
        ),
        languages=("English (native)", "Twi (fluent)"),
    ),
    # --- senior-accountant ------------------------------------------------------------------
    _Candidate(
        posting_slug="senior-accountant",
        expected_fit="strong",
        name="Sofía Marín Ortega",
        email="sofia.marin@example.com",
        phone="+34 612 345 678",
        location="Madrid, Spain",
        headline="Senior Accountant – IFRS, SAP FI/CO",
        summary=(
            "Chartered accountant (ACCA) with 9 years of experience in audit and group "
            "reporting. I run month-end close and consolidation under IFRS in SAP and build "
            "the Excel models that keep the close on time."
        ),
        jobs=(
            _Job(
                "Senior Accountant",
                "Grupo Valcárcel Envases, Madrid",
                "Feb 2019 – Present",
                (
                    "Lead the month-end close for 4 entities in SAP FI/CO: accruals, fixed "
                    "assets, intercompany reconciliations.",
                    "Prepare the monthly consolidation and quarterly reporting pack under IFRS, "
                    "including IFRS 16 lease schedules.",
                    "Built Excel reconciliation and variance analysis models (pivot tables, "
                    "XLOOKUP, Power Query).",
                    "Main contact for the external auditors at interim and year-end.",
                ),
            ),
            _Job(
                "Audit Senior",
                "Castellana Audit & Assurance, Madrid",
                "Sep 2015 – Jan 2019",
                (
                    "Led audits of industrial and retail clients reporting under IFRS and "
                    "Spanish GAAP.",
                    "Reviewed revenue recognition under IFRS 15 and inventory valuation.",
                ),
            ),
        ),
        education=(
            "Degree in Business Administration (ADE) – Universidad Complutense de Madrid "
            "(2011 – 2015)",
        ),
        certifications=("ACCA (Association of Chartered Certified Accountants), 2018",),
        skills=(
            "IFRS",
            "IFRS 15",
            "IFRS 16",
            "Spanish GAAP",
            "SAP FI/CO",
            "Month-end close",
            "Consolidation",
            "Intercompany reconciliation",
            "External audit",
            "Excel",
            "Power Query",
            "Power BI",
        ),
        languages=("Spanish (native)", "English (C1)", "Portuguese (B1)"),
    ),
    _Candidate(
        posting_slug="senior-accountant",
        expected_fit="possible",
        name="Daniel Okafor",
        email="daniel.okafor@example.org",
        phone="+1 312 555 0178",
        location="Chicago, IL, USA",
        headline="Staff Accountant",
        summary=(
            "Staff accountant with 3 years of experience in general ledger accounting and "
            "month-end close under US GAAP. Strong Excel skills; studying for the CPA exam."
        ),
        jobs=(
            _Job(
                "Staff Accountant",
                "Lakeshore Dental Partners, Chicago",
                "Jul 2021 – Present",
                (
                    "Own journal entries, accruals and bank reconciliations for the monthly "
                    "close in NetSuite.",
                    "Maintain the fixed asset register and depreciation schedules in Excel.",
                    "Prepare audit schedules for the annual external audit.",
                ),
            ),
            _Job(
                "Accounting Assistant",
                "Prairie Home Builders, Naperville",
                "2020 – 2021",
                ("Processed accounts payable and vendor payments in QuickBooks.",),
            ),
        ),
        education=("BSc in Accounting – University of Illinois Chicago (2016 – 2020)",),
        skills=(
            "US GAAP",
            "General ledger",
            "Month-end close",
            "Account reconciliation",
            "Accounts payable",
            "NetSuite",
            "QuickBooks",
            "Excel",
        ),
        languages=("English (native)", "Igbo (conversational)"),
    ),
    _Candidate(
        posting_slug="senior-accountant",
        expected_fit="possible",
        name="Mei Lin Tan",
        email="meilin.tan@example.com",
        phone="+65 9123 4567",
        location="Singapore",
        headline="Financial Analyst",
        summary=(
            "Financial analyst with 5 years of experience in FP&A, budgeting and management "
            "reporting. Daily SAP and advanced Excel user; no statutory or group reporting yet."
        ),
        jobs=(
            _Job(
                "Senior Financial Analyst",
                "Meridian Marine Components, Singapore",
                "Apr 2020 – Present",
                (
                    "Own the annual budget and monthly forecast for the Asia-Pacific region.",
                    "Extract actuals from SAP (CO-PA) and build variance analysis in Excel and "
                    "Power BI.",
                    "Support the group accounting team during month-end close.",
                ),
            ),
            _Job(
                "Financial Analyst",
                "Orchard Retail Group, Singapore",
                "2018 – 2020",
                ("Prepared store P&L reporting and capex tracking in Excel.",),
            ),
        ),
        education=("Bachelor of Accountancy – Nanyang Technological University (2014 – 2018)",),
        skills=(
            "FP&A",
            "Budgeting",
            "Forecasting",
            "Variance analysis",
            "SAP CO",
            "Excel",
            "Power BI",
            "SQL",
        ),
        languages=("English (fluent)", "Mandarin (native)", "Malay (basic)"),
    ),
    _Candidate(
        posting_slug="senior-accountant",
        expected_fit="weak",
        name="Lukas Novák",
        email="lukas.novak@example.org",
        phone="+420 601 234 567",
        location="Prague, Czech Republic",
        headline="Product Designer",
        summary=(
            "Product designer with 5 years of experience designing web and mobile apps in "
            "Figma. Looking for a new challenge in a finance environment."
        ),
        jobs=(
            _Job(
                "Product Designer",
                "Vltava Apps s.r.o., Prague",
                "May 2020 – Present",
                (
                    "Designed onboarding and checkout flows for a food delivery app in Figma.",
                    "Ran usability testing sessions with 40 users per quarter.",
                ),
            ),
            _Job(
                "UI Designer",
                "Studio Karlín, Prague",
                "2018 – 2020",
                ("Created marketing websites and brand assets in Adobe Illustrator.",),
            ),
        ),
        education=("BA in Graphic Design – Academy of Arts, Architecture and Design in Prague",),
        skills=("Figma", "Prototyping", "Usability testing", "Adobe Illustrator", "Sketch"),
        languages=("Czech (native)", "English (fluent)", "German (basic)"),
    ),
    # --- registered-nurse -------------------------------------------------------------------
    _Candidate(
        posting_slug="registered-nurse",
        expected_fit="strong",
        name="María José Herrera",
        email="mariajose.herrera@example.com",
        phone="+1 305 555 0147",
        location="Miami, FL, USA",
        headline="Registered Nurse (RN), BSN – Emergency Department",
        summary=(
            "Bilingual registered nurse with 6 years of emergency department experience at a "
            "Level I trauma center. Experienced in ESI triage, trauma and stroke care, and "
            "documentation in Epic."
        ),
        jobs=(
            _Job(
                "Registered Nurse, Emergency Department",
                "Biscayne Regional Hospital, Miami",
                "Aug 2019 – Present",
                (
                    "Triage 30+ patients per shift using the Emergency Severity Index (ESI).",
                    "Care for trauma, stroke and cardiac patients; IV access, medication "
                    "administration and wound care.",
                    "Charge nurse two shifts a week; preceptor for new graduate nurses.",
                    "Document assessments and handovers in Epic; Epic super-user for the ED.",
                ),
            ),
            _Job(
                "Registered Nurse, Medical-Surgical Unit",
                "Coral Gables Community Hospital, Coral Gables",
                "2017 – 2019",
                ("Cared for 5–6 post-surgical patients per shift on a 32-bed unit.",),
            ),
        ),
        education=("Bachelor of Science in Nursing (BSN) – Florida International University",),
        certifications=(
            "Registered Nurse, Florida (multistate compact license)",
            "BLS – American Heart Association (exp. 2026)",
            "ACLS – American Heart Association (exp. 2026)",
            "PALS – American Heart Association",
            "TNCC – Trauma Nursing Core Course",
        ),
        skills=(
            "Triage",
            "ESI",
            "BLS",
            "ACLS",
            "PALS",
            "TNCC",
            "Trauma care",
            "IV therapy",
            "Epic",
            "Patient education",
        ),
        languages=("Spanish (native)", "English (fluent)"),
    ),
    _Candidate(
        posting_slug="registered-nurse",
        expected_fit="possible",
        name="Aisha Bello",
        email="aisha.bello@example.org",
        phone="+1 713 555 0162",
        location="Houston, TX, USA",
        headline="Registered Nurse – Medical-Surgical",
        summary=(
            "Registered nurse with 2 years of experience on a busy medical-surgical floor. "
            "Looking to grow into emergency nursing; advanced life support course booked."
        ),
        jobs=(
            _Job(
                "Registered Nurse, Med-Surg",
                "Bayou City Medical Center, Houston",
                "Jun 2022 – Present",
                (
                    "Provide care for 5 patients per shift: assessments, medication "
                    "administration, wound care and discharge teaching.",
                    "Document care in Cerner PowerChart.",
                    "Member of the unit's falls prevention committee.",
                ),
            ),
        ),
        education=("Associate Degree in Nursing (ADN) – Houston Community College (2020 – 2022)",),
        certifications=(
            "Registered Nurse, Texas (compact license)",
            "BLS – American Heart Association",
        ),
        skills=(
            "Patient assessment",
            "Medication administration",
            "Wound care",
            "BLS",
            "Cerner",
            "Discharge planning",
        ),
        languages=("English (native)", "Yoruba (conversational)"),
    ),
    _Candidate(
        posting_slug="registered-nurse",
        expected_fit="possible",
        name="Jean-Luc Moreau",
        email="jeanluc.moreau@example.com",
        phone="+33 6 12 34 56 78",
        location="Lyon, France (relocating to Miami)",
        headline="Paramedic / Emergency Care Practitioner",
        summary=(
            "Paramedic with 8 years of pre-hospital emergency experience. Strong in triage and "
            "advanced life support; completing US nursing license equivalency (NCLEX "
            "scheduled)."
        ),
        jobs=(
            _Job(
                "Paramedic",
                "SAMU Rhône Emergency Medical Service, Lyon",
                "2016 – Present",
                (
                    "Respond to emergency calls; triage and stabilise patients on scene.",
                    "Perform airway management, defibrillation and ACLS protocols.",
                    "Hand over patients to emergency department teams.",
                ),
            ),
        ),
        education=("State Diploma in Emergency Care – Institut de Formation de Lyon (2016)",),
        certifications=("ACLS", "BLS", "PHTLS – Prehospital Trauma Life Support"),
        skills=("Triage", "ACLS", "BLS", "Trauma care", "Airway management"),
        languages=("French (native)", "English (fluent)", "Spanish (basic)"),
    ),
    _Candidate(
        posting_slug="registered-nurse",
        expected_fit="weak",
        name="Kenji Watanabe",
        email="kenji.watanabe@example.org",
        phone="+81 90 1234 5678",
        location="Osaka, Japan",
        headline="Backend Software Engineer",
        summary=(
            "Backend engineer with 4 years of experience building Go and Python services for "
            "a hospital scheduling product."
        ),
        jobs=(
            _Job(
                "Backend Engineer",
                "Sakura Health Systems, Osaka",
                "Oct 2020 – Present",
                (
                    "Built appointment scheduling APIs in Go and Python backed by PostgreSQL.",
                    "Deployed services on Kubernetes with Docker and GitHub Actions.",
                ),
            ),
        ),
        education=("BEng in Information Engineering – Osaka University (2016 – 2020)",),
        skills=("Go", "Python", "PostgreSQL", "Docker", "Kubernetes", "GitHub Actions"),
        languages=("Japanese (native)", "English (professional)"),
    ),
    # --- product-designer -------------------------------------------------------------------
    _Candidate(
        posting_slug="product-designer",
        expected_fit="strong",
        name="Elif Demir",
        email="elif.demir@example.com",
        phone="+90 532 123 45 67",
        location="Istanbul, Turkey (remote)",
        headline="Senior Product Designer",
        summary=(
            "Product designer with 7 years of experience on consumer fintech and mobile apps. "
            "I combine UX research with hands-on interaction and visual design in Figma, and "
            "I have built and maintained design systems used by 30+ engineers."
        ),
        jobs=(
            _Job(
                "Senior Product Designer",
                "Kumbara Finance, Istanbul",
                "Mar 2020 – Present",
                (
                    "Led the redesign of onboarding for a savings app, raising completion from "
                    "54% to 71%.",
                    "Plan and run UX research: user interviews, usability testing and diary "
                    "studies.",
                    "Created and maintain the Figma design system (components, design tokens, "
                    "documentation) with the front-end team.",
                    "Ran A/B tests with product analytics in Amplitude.",
                ),
            ),
            _Job(
                "UX/UI Designer",
                "Lale Digital Agency, Istanbul",
                "2017 – 2020",
                (
                    "Designed wireframes, prototypes and UI for banking and e-commerce clients.",
                    "Improved accessibility to WCAG 2.1 AA for a retail banking website.",
                ),
            ),
        ),
        education=("BA in Visual Communication Design – Istanbul Bilgi University (2013 – 2017)",),
        skills=(
            "Figma",
            "UX research",
            "Usability testing",
            "User interviews",
            "Design systems",
            "Prototyping",
            "Wireframing",
            "Interaction design",
            "Accessibility (WCAG)",
            "Amplitude",
            "HTML/CSS",
        ),
        languages=("Turkish (native)", "English (fluent)"),
    ),
    _Candidate(
        posting_slug="product-designer",
        expected_fit="possible",
        name="Noah Fischer",
        email="noah.fischer@example.org",
        phone="+41 79 123 45 67",
        location="Zurich, Switzerland",
        headline="Visual and Brand Designer",
        summary=(
            "Visual designer with 6 years of experience in branding, marketing websites and "
            "illustration. Moving towards product design; I use Figma daily for UI work."
        ),
        jobs=(
            _Job(
                "Senior Visual Designer",
                "Bergwerk Studio, Zurich",
                "Jan 2021 – Present",
                (
                    "Lead brand identity projects for Swiss start-ups.",
                    "Design landing pages and marketing sites in Figma and Webflow.",
                ),
            ),
            _Job(
                "Graphic Designer",
                "Limmat Verlag, Zurich",
                "2018 – 2020",
                ("Designed book covers and print campaigns in Adobe InDesign and Photoshop.",),
            ),
        ),
        education=("BA in Visual Communication – Zurich University of the Arts (2014 – 2018)",),
        skills=(
            "Figma",
            "Adobe Photoshop",
            "Adobe Illustrator",
            "Adobe InDesign",
            "Webflow",
            "Branding",
            "Typography",
        ),
        languages=("German (native)", "English (fluent)", "French (intermediate)"),
    ),
    _Candidate(
        posting_slug="product-designer",
        expected_fit="possible",
        name="Camila Rojas",
        email="camila.rojas@example.com",
        phone="+56 9 6123 4567",
        location="Santiago, Chile (remote)",
        headline="UX Researcher",
        summary=(
            "UX researcher with 4 years of experience planning and running qualitative and "
            "quantitative research for SaaS products. Comfortable making low-fidelity "
            "prototypes in Figma, less experienced in high-fidelity UI."
        ),
        jobs=(
            _Job(
                "UX Researcher",
                "Andes Payroll Cloud, Santiago",
                "Jul 2021 – Present",
                (
                    "Run user interviews, usability testing and surveys for the payroll product.",
                    "Synthesise findings in Dovetail and Miro and present them to product squads.",
                    "Build clickable prototypes in Figma for concept tests.",
                ),
            ),
            _Job(
                "Research Assistant, Human-Computer Interaction Lab",
                "Universidad de Valparaíso",
                "2019 – 2021",
                ("Designed and ran usability studies for public-sector websites.",),
            ),
        ),
        education=("MSc in Human-Computer Interaction – Universidad de Valparaíso",),
        skills=(
            "UX research",
            "User interviews",
            "Usability testing",
            "Surveys",
            "Figma",
            "Miro",
            "Dovetail",
        ),
        languages=("Spanish (native)", "English (fluent)", "Portuguese (basic)"),
    ),
    _Candidate(
        posting_slug="product-designer",
        expected_fit="weak",
        name="Oliver Brennan",
        email="oliver.brennan@example.org",
        phone="+353 85 123 4567",
        location="Dublin, Ireland",
        headline="Account Executive",
        summary=(
            "Account executive with 4 years of B2B SaaS sales experience. Creative and "
            "customer-focused; interested in moving into design."
        ),
        jobs=(
            _Job(
                "Account Executive",
                "Liffey Cloud Software, Dublin",
                "Feb 2021 – Present",
                (
                    "Close new business with SMB customers; 112% of quota in 2023.",
                    "Manage pipeline and forecast in Salesforce.",
                ),
            ),
            _Job(
                "Sales Development Representative",
                "Liffey Cloud Software, Dublin",
                "2019 – 2021",
                ("Booked discovery meetings through cold calling and email sequences.",),
            ),
        ),
        education=("BA in Marketing – Dublin City University (2015 – 2019)",),
        skills=("Salesforce", "Negotiation", "Canva", "Prospecting", "Presentations"),
        languages=("English (native)", "Irish (intermediate)"),
    ),
    # --- account-executive ------------------------------------------------------------------
    _Candidate(
        posting_slug="account-executive",
        expected_fit="strong",
        name="Rafael Costa",
        email="rafael.costa@example.com",
        phone="+1 646 555 0191",
        location="New York, NY, USA",
        headline="Senior Account Executive – B2B SaaS",
        summary=(
            "Account executive with 7 years of B2B SaaS sales experience, 5 of them closing "
            "mid-market deals with finance and operations buyers. Consistent quota "
            "over-achiever; disciplined user of Salesforce and MEDDICC."
        ),
        jobs=(
            _Job(
                "Senior Account Executive, Mid-Market",
                "Ledgerline (AP automation SaaS), New York",
                "Jan 2020 – Present",
                (
                    "Closed USD 1.1M new ARR in 2023 (128% of a USD 850k quota); average "
                    "deal size USD 65k.",
                    "Run full-cycle sales: discovery, demos, business cases and contract "
                    "negotiation with CFOs and controllers.",
                    "Maintain pipeline and forecast accuracy within 5% in Salesforce; use Gong "
                    "for call reviews.",
                    "Qualify opportunities with MEDDICC; mentor two new account executives.",
                ),
            ),
            _Job(
                "Account Executive, SMB",
                "Brightroster (HR software), Boston",
                "2017 – 2019",
                (
                    "Closed 90+ SMB deals per year; President's Club 2018.",
                    "Managed inbound leads and sequences in HubSpot and Outreach.",
                ),
            ),
        ),
        education=("BA in Economics – Rutgers University (2012 – 2016)",),
        skills=(
            "B2B SaaS sales",
            "Full-cycle sales",
            "Negotiation",
            "Salesforce",
            "HubSpot",
            "Gong",
            "Outreach",
            "MEDDICC",
            "Forecasting",
            "Pipeline management",
        ),
        languages=("English (native)", "Portuguese (fluent)", "Spanish (professional)"),
    ),
    _Candidate(
        posting_slug="account-executive",
        expected_fit="possible",
        name="Chloé Dubois",
        email="chloe.dubois@example.org",
        phone="+33 7 81 22 45 90",
        location="Paris, France (relocating to New York)",
        headline="Sales Development Representative",
        summary=(
            "SDR with 2 years of experience generating pipeline for a B2B SaaS company. "
            "Top SDR for three quarters; ready to take on my own quota as an account "
            "executive."
        ),
        jobs=(
            _Job(
                "Sales Development Representative",
                "Factorix (invoicing SaaS), Paris",
                "Sep 2022 – Present",
                (
                    "Booked 25 qualified meetings per month for mid-market account executives.",
                    "Built outbound sequences in HubSpot and logged activity in Salesforce.",
                    "Sat in on discovery calls and demos with the closing team.",
                ),
            ),
            _Job(
                "Business Development Intern",
                "Maison Cabrol, Paris",
                "2021 – 2022",
                ("Researched wholesale prospects and prepared sales presentations.",),
            ),
        ),
        education=("Master in Management – ESCP Business School (2019 – 2022)",),
        skills=(
            "Prospecting",
            "Cold calling",
            "HubSpot",
            "Salesforce",
            "Lead qualification",
            "B2B SaaS",
        ),
        languages=("French (native)", "English (fluent)", "Spanish (intermediate)"),
    ),
    _Candidate(
        posting_slug="account-executive",
        expected_fit="possible",
        name="Ahmed Hassan",
        email="ahmed.hassan@example.com",
        phone="+971 50 123 4567",
        location="Dubai, United Arab Emirates",
        headline="Key Account Manager",
        summary=(
            "Key account manager with 6 years of B2B sales experience in office equipment and "
            "facility services. Strong negotiator with large customers; no SaaS background "
            "yet."
        ),
        jobs=(
            _Job(
                "Key Account Manager",
                "Gulfline Office Solutions, Dubai",
                "Mar 2019 – Present",
                (
                    "Manage 40 corporate accounts worth AED 12M a year.",
                    "Negotiate multi-year service contracts with procurement teams.",
                    "Track opportunities in Microsoft Dynamics CRM.",
                ),
            ),
            _Job(
                "Sales Executive",
                "Nile Copier Services, Cairo",
                "2016 – 2019",
                ("Sold printers and managed print services to SMB customers.",),
            ),
        ),
        education=("BCom in Marketing – Cairo University (2012 – 2016)",),
        skills=(
            "Negotiation",
            "Key account management",
            "B2B sales",
            "Microsoft Dynamics CRM",
            "Contract negotiation",
        ),
        languages=("Arabic (native)", "English (fluent)"),
    ),
    _Candidate(
        posting_slug="account-executive",
        expected_fit="weak",
        name="Ingrid Solberg",
        email="ingrid.solberg@example.org",
        phone="+47 412 34 567",
        location="Oslo, Norway",
        headline="Senior Accountant",
        summary=(
            "Senior accountant with 8 years of experience in month-end close and financial "
            "reporting under IFRS. Considering a move into a customer-facing role."
        ),
        jobs=(
            _Job(
                "Senior Accountant",
                "Fjordkraft Marine AS, Oslo",
                "Jan 2018 – Present",
                (
                    "Run the month-end close and IFRS reporting for three entities in SAP.",
                    "Prepare intercompany reconciliations and audit files in Excel.",
                ),
            ),
            _Job(
                "Auditor",
                "Nordvik Revisjon, Bergen",
                "2015 – 2017",
                ("Audited small and mid-sized companies under Norwegian GAAP.",),
            ),
        ),
        education=("Master of Accounting and Auditing – BI Norwegian Business School",),
        skills=("IFRS", "SAP FI", "Month-end close", "Excel", "Financial reporting"),
        languages=("Norwegian (native)", "English (fluent)"),
    ),
)


def _cv_lines(candidate: _Candidate) -> list[str]:
    """Plain-text CV layout shared by both renderers.

    Line 0 is the name, line 1 the contact line; section headings are bare words from
    ``SECTION_HEADINGS``; lines starting with "• " are bullets; "" is a blank line.
    """
    lines = [
        candidate.name,
        f"{candidate.email} · {candidate.phone} · {candidate.location}",
        candidate.headline,
        "",
        "Summary",
        candidate.summary,
        "",
        "Experience",
    ]
    for index, job in enumerate(candidate.jobs):
        if index:
            lines.append("")
        lines.append(f"{job.title} — {job.company}")
        lines.append(job.dates)
        lines.extend(f"• {bullet}" for bullet in job.bullets)
    lines += ["", "Education", *candidate.education]
    if candidate.certifications:
        lines += ["", "Certifications", *(f"• {c}" for c in candidate.certifications)]
    lines += [
        "",
        "Skills",
        ", ".join(candidate.skills),
        "",
        "Languages",
        ", ".join(candidate.languages),
    ]
    return lines


def render_pdf(lines: list[str], path: Path) -> None:
    """Write ``lines`` as a one-column A4 PDF using fpdf2's core Helvetica font.

    Text must be encodable in Windows-1252; the creation date is fixed so the bytes are
    reproducible.
    """
    pdf = FPDF(format="A4")
    pdf.core_fonts_encoding = "windows-1252"
    pdf.set_creation_date(_FIXED_TIMESTAMP)
    if lines:
        pdf.set_title(f"CV – {lines[0]}")
        pdf.set_author(lines[0])
    pdf.set_creator("hirestream demo data")
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()
    for index, line in enumerate(lines):
        if index == 0:
            pdf.set_font("Helvetica", style="B", size=18)
            pdf.multi_cell(0, 9, line, align="L", new_x="LMARGIN", new_y="NEXT")
        elif line == "":
            pdf.ln(3)
        elif line in SECTION_HEADINGS:
            pdf.set_font("Helvetica", style="B", size=12)
            pdf.multi_cell(0, 7, line, align="L", new_x="LMARGIN", new_y="NEXT")
            y = pdf.get_y()
            pdf.line(pdf.l_margin, y, pdf.w - pdf.r_margin, y)
            pdf.ln(1)
        else:
            pdf.set_font("Helvetica", size=10)
            pdf.multi_cell(0, 5, line, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))


def render_docx(lines: list[str], path: Path) -> None:
    """Write ``lines`` as a DOCX with a Title, Heading 1 sections and bulleted lists.

    Core properties and the zip entry timestamps are fixed so the bytes are reproducible.
    """
    document = docx.Document()
    props = document.core_properties
    props.author = lines[0] if lines else ""
    props.last_modified_by = lines[0] if lines else ""
    props.title = f"CV – {lines[0]}" if lines else "CV"
    props.created = _FIXED_TIMESTAMP
    props.modified = _FIXED_TIMESTAMP
    props.revision = 1
    document.styles["Normal"].font.size = Pt(10.5)
    for index, line in enumerate(lines):
        if index == 0:
            document.add_heading(line, level=0)
        elif line == "":
            continue
        elif line in SECTION_HEADINGS:
            document.add_heading(line, level=1)
        elif line.startswith("• "):
            document.add_paragraph(line.removeprefix("• "), style="List Bullet")
        else:
            document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    path.write_bytes(_normalise_zip(buffer.getvalue()))


def _normalise_zip(blob: bytes) -> bytes:
    """Rewrite a zip archive with fixed entry timestamps (python-docx stamps the save time)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(blob)) as source,
        zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_DATE_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


def _file_stem(index: int, name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = "-".join("".join(c if c.isalnum() else " " for c in ascii_name).lower().split())
    return f"{index + 1:02d}-{slug}"


def generate_demo_applications(out_dir: Path) -> list[DemoApplication]:
    """Write the 20 demo CVs into ``out_dir`` (created if missing) and describe them.

    Files alternate PDF, PDF, DOCX, DOCX, ... and channels alternate smtp, form, ..., so every
    posting gets each (format, channel) combination once. Existing files with the same names
    are overwritten.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    applications: list[DemoApplication] = []
    for index, candidate in enumerate(_CANDIDATES):
        is_pdf = (index // 2) % 2 == 0
        channel: Channel = "smtp" if index % 2 == 0 else "form"
        cv_path = out_dir / f"{_file_stem(index, candidate.name)}.{'pdf' if is_pdf else 'docx'}"
        lines = _cv_lines(candidate)
        if is_pdf:
            render_pdf(lines, cv_path)
        else:
            render_docx(lines, cv_path)
        applications.append(
            DemoApplication(
                posting_slug=candidate.posting_slug,
                name=candidate.name,
                email=candidate.email,
                phone=candidate.phone,
                cv_path=cv_path,
                channel=channel,
                expected_fit=candidate.expected_fit,
            )
        )
    return applications
