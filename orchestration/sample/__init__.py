"""A realistic sample district: report packages as carriers hand them in, with a manifest.

`generate_sample` builds one simulated district (entities/: carriers, tenant enterprises and
their patents, certificates, graduations, financing, awards, evaluations, recognitions and
subsidy claims over the years), then writes one report package folder per year exactly as the
contract describes (rendering/): per-carrier workbooks at district scale, a few large CSV files
per dataset at bench scale, with the messiness real packages have (date, money and bool forms,
full-width characters, header variants, title rows, a GB18030 CSV, a workbook handed in twice, a
repeated row) and a handful of planted bad rows (defects.py). The manifest (manifest.py) says
what was planted and where, so tests and the demo can check the batch finds exactly those.

Interface: `generate_sample(root, years, scale, fmt, seed)` writes `root/<year>/` and
`root/manifest_<year>.json` and returns the `SampleManifest`; `sample_tables(years, scale, seed)`
gives the canonical tables behind it. It reads only the contract (orchestration/contract).

Everything is vectorised (numpy, polars): the national bench (scale ≈ 267, ~3M patents) must be
generated in about a minute. The same arguments give byte-identical files.
"""

from orchestration.sample.generate import XLSX_MAX_SCALE, Fmt, generate_sample, sample_tables
from orchestration.sample.manifest import PlantedDefect, SampleManifest, YearManifest

__all__ = [
    "XLSX_MAX_SCALE",
    "Fmt",
    "PlantedDefect",
    "SampleManifest",
    "YearManifest",
    "generate_sample",
    "sample_tables",
]
