#!/usr/bin/env python3
"""Builds examples/articles.jsonl from the GUM news and interview documents (Wikinews, CC BY 2.5).

Each document is rebuilt as running text exactly as the splitter evaluation does it: paragraphs from
`# newpar` separated by a blank line, tokens joined by their `SpaceAfter` marks.

    python3 scripts/make_examples.py ../shared/data/gum/dep > examples/articles.jsonl
"""
import json
import pathlib
import sys


def documents(path):
    meta, paragraphs, current, text = {}, [], [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# meta::"):
            key, _, value = line[len("# meta::"):].partition(" = ")
            meta[key] = value
        elif line.startswith("# newpar") and not line.startswith("# newpar_block"):
            if current:
                paragraphs.append("".join(current).rstrip())
            current = []
        elif line and not line.startswith("#"):
            cols = line.split("\t")
            if "-" in cols[0] or "." in cols[0]:
                continue  # multi-word token ranges and empty nodes
            current.append(cols[1])
            if "SpaceAfter=No" not in cols[9]:
                current.append(" ")
    if current:
        paragraphs.append("".join(current).rstrip())
    return meta, "\n\n".join(paragraphs)


def main():
    root = pathlib.Path(sys.argv[1])
    for path in sorted(root.glob("GUM_*.conllu")):
        genre = path.stem.split("_")[1]
        if genre not in ("news", "interview"):
            continue
        meta, body = documents(path)
        message = {
            "id": path.stem,
            "title": meta.get("title"),
            "source": "Wikinews",
            "url": meta.get("sourceURL"),
            "published_at": meta["dateCreated"] + "T00:00:00Z" if "dateCreated" in meta else None,
            "lang": "en",
            "body": body,
        }
        print(json.dumps(message, ensure_ascii=False))


if __name__ == "__main__":
    main()
