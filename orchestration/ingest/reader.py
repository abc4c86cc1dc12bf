"""The entries of one package folder, each to its reader: an .xlsx to `xlsx`, a .csv to
`csv_read`; a symbolic link, a sub-folder, an Office lock file (`~$`) or any other file is
ignored with a finding, and a repeated file is read once (`duplicates`).

Frames read so far are handed to a sink (raw.*) in batches, so memory stays flat.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import polars as pl

from orchestration.ingest.csv_read import read_csv
from orchestration.ingest.duplicates import is_duplicate
from orchestration.ingest.recorder import Recorder
from orchestration.ingest.summary import FileResult, IngestSummary
from orchestration.ingest.xlsx import read_xlsx


class PackageReader(Recorder):
    """Reads the entries of one package folder, appending frames and findings."""

    def __init__(
        self, summary: IngestSummary, sink: Callable[[str, pl.DataFrame], None] | None
    ) -> None:
        super().__init__(summary)
        self.sink = sink
        self.seen_sha: dict[str, str] = {}

    def read_entry(self, entry: Path) -> None:
        """Read one entry of the folder (or record why it is not read)."""
        name = entry.name
        if self._ignored(entry):
            return
        suffix = entry.suffix.lower()
        data = entry.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        size = len(data)
        if is_duplicate(self, self.seen_sha, name, sha, size):
            return
        if size == 0:
            self.unreadable(name, sha, size, "空文件", "the file is empty")
            return
        if suffix == ".xlsx":
            read_xlsx(self, name, data, sha, size)
        else:
            read_csv(self, name, data, sha, size)

    def _ignored(self, entry: Path) -> bool:
        """True (and recorded) for an entry that is not read: a symbolic link, a sub-folder,
        or a file other than .xlsx and .csv (an Office lock file `~$…` too)."""
        name = entry.name
        if entry.is_symlink():  # never followed: it may point anywhere on the machine
            msg = (
                f"“{name}”是符号链接（快捷方式），未读取；请把文件本身放入报送目录 / '{name}' is a "
                "symbolic link and was not followed; put the file itself in the report folder"
            )
            self.file_status(FileResult(name, "ignored", message=msg))
            self.finding("symlink_not_followed", "error", msg, file=name)
            return True
        if entry.is_dir():
            msg = (
                f"子文件夹“{name}”已忽略，只读取报送目录下的文件 / sub-folder '{name}' ignored: "
                "only files directly in the report folder are read"
            )
            self.file_status(FileResult(name + "/", "ignored", message=msg))
            self.finding("ignored_file", "warning", msg, file=name + "/")
            return True
        if name.startswith("~$") or entry.suffix.lower() not in (".xlsx", ".csv"):
            msg = (
                f"文件“{name}”已忽略：只接受 .xlsx 和 .csv 文件 / file '{name}' ignored: "
                "only .xlsx and .csv files are read"
            )
            self.file_status(FileResult(name, "ignored", message=msg))
            self.finding("ignored_file", "warning", msg, file=name)
            return True
        return False

    def merge(self, entry: Path, child: PackageReader) -> None:
        """Take over what `child` read from `entry` alone, unless the file repeats one read
        before (then it is a duplicate, as `read_entry` would have found)."""
        loaded = child.summary.files[0] if child.summary.files else None
        if (
            loaded is not None
            and loaded.file_sha256 is not None
            and is_duplicate(
                self, self.seen_sha, entry.name, loaded.file_sha256, loaded.file_size_bytes or 0
            )
        ):
            return
        self.summary.files.extend(child.summary.files)
        self.summary.sheets.extend(child.summary.sheets)
        self.summary.findings.extend(child.summary.findings)
        for name, parts in child.frames.items():
            self.frames[name].extend(parts)

    def flush(self, min_rows: int) -> None:
        """Hand each dataset's frames read so far to the sink once they hold `min_rows` rows or
        more (0: all of them), so a national package is never held in memory whole."""
        for name, parts in self.frames.items():
            if parts and sum(part.height for part in parts) >= max(min_rows, 1):
                assert self.sink is not None, "a reader of one workbook is merged, not flushed"
                self.sink(name, pl.concat(parts, how="vertical"))
                parts.clear()
