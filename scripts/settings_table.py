"""Print the Markdown table of every setting (for docs/configuration.md)."""

from __future__ import annotations

from dataclasses import MISSING, fields

from jobsift.config.sections import LIST_SECTIONS, SECTIONS


def main() -> None:
    print("| setting | default | what it does |")
    print("|---|---|---|")
    for section, cls in {**SECTIONS, **LIST_SECTIONS}.items():
        for f in fields(cls):
            if f.default is not MISSING:
                default = repr(f.default).replace("'", '"')
            elif f.default_factory is not MISSING:
                default = repr(f.default_factory()).replace("'", '"')
            else:
                default = ""
            default = {"True": "true", "False": "false"}.get(default, default)
            if default == "None":
                default = "(unset)"
            print(f"| `{section}.{f.name}` | `{default}` | {f.metadata.get('help', '')} |")


if __name__ == "__main__":
    main()
