"""`python -m orchestration.transform codegen`: regenerate the contract artefacts."""

import sys

from orchestration.config import PROJECT_DIR
from orchestration.transform.codegen import write_contract_artifacts

if sys.argv[1:] == ["codegen"]:
    for written in write_contract_artifacts():
        print(f"wrote {written.relative_to(PROJECT_DIR)}")
else:
    print("usage: python -m orchestration.transform codegen", file=sys.stderr)
    sys.exit(2)
