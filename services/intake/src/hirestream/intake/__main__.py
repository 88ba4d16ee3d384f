from hirestream.intake.app import run

run()
