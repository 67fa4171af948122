"""Hostile and large inputs for the importer's limits (docs/benchmarks.md, "Import limits").

    .venv/bin/python -m bench.import_inputs bomb OUT.jsonl.gz [--gib 2]   # one line of N GiB
    .venv/bin/python -m bench.import_inputs bomb-lines OUT.jsonl.gz       # N GiB of "{}" lines
    .venv/bin/python -m bench.import_inputs badbyte OUT.jsonl.gz          # 3,000 lines, byte at 2,500
    .venv/bin/python -m bench.import_inputs profiles OUT.jsonl --count 100000

Run it as a module from the repository root (bench/http.py would hide the standard library's
http otherwise). The bomb is written in compressed blocks, so making it needs neither 2 GB of memory nor of disk.
"""

from __future__ import annotations

import argparse
import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def write_bomb(path: Path, gib: float, *, line: bytes = b"") -> None:
    block = line * ((1 << 20) // len(line)) if line else b"a" * (1 << 20)
    with gzip.open(path, "wb", compresslevel=9) as out:
        for _ in range(int(gib * 1024)):
            out.write(block)


def demo_documents(count: int) -> Iterator[dict[str, Any]]:
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rapport.settings")
    django.setup()
    from rapport.directory.demo import generate_documents

    for document in generate_documents(count, 7):
        yield {**document, "source": "bench"}


def write_badbyte(path: Path) -> None:
    lines = [json.dumps(d, ensure_ascii=False) for d in demo_documents(3000)]
    # Line 2,500 gets "José" as Windows-1252 saves it: 0xE9 is not UTF-8.
    encoded = [line.encode() for line in lines]
    encoded[2499] = encoded[2499].replace(b'"name": "', b'"name": "Jos\xe9 ', 1)
    data = b"\n".join(encoded) + b"\n"
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)


def write_profiles(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        for document in demo_documents(count):
            out.write(json.dumps(document, ensure_ascii=False) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=("bomb", "bomb-lines", "badbyte", "profiles"))
    parser.add_argument("out", type=Path)
    parser.add_argument("--gib", type=float, default=2.0)
    parser.add_argument("--count", type=int, default=100_000)
    args = parser.parse_args()
    if args.kind == "bomb":
        write_bomb(args.out, args.gib)
    elif args.kind == "bomb-lines":
        write_bomb(args.out, args.gib, line=b"{}\n")
    elif args.kind == "badbyte":
        write_badbyte(args.out)
    else:
        write_profiles(args.out, args.count)
    print(f"{args.out}: {args.out.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
