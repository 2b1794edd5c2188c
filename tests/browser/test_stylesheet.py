"""lms.css keeps working in old WeChat browsers (X5 / Chromium < 87), which
drop logical properties and min()/max(): each such declaration needs a
physical or plain fallback earlier in the same rule. Reads the file; no
browser needed."""

import re
from pathlib import Path

CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "lms.css"

# Logical property → the physical properties that must come before it.
FALLBACKS = {
    "margin-inline": ("margin-left", "margin-right"),
    "padding-inline": ("padding-left", "padding-right"),
    "padding-block": ("padding-top", "padding-bottom"),
    "margin-block": ("margin-top", "margin-bottom"),
    "margin-inline-start": ("margin-left",),
    "margin-inline-end": ("margin-right",),
    "padding-inline-start": ("padding-left",),
    "padding-inline-end": ("padding-right",),
    "border-inline-start": ("border-left",),
    "border-inline-end": ("border-right",),
}


def _rules():
    text = re.sub(r"/\*.*?\*/", "", CSS.read_text(encoding="utf-8"), flags=re.S)
    # Innermost { … } blocks: the declarations of one rule.
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", text):
        declarations = [
            tuple(part.strip() for part in d.split(":", 1))
            for d in body.split(";") if ":" in d
        ]
        yield selector.strip(), declarations


RULES = list(_rules())


def test_the_stylesheet_was_parsed():
    assert len(RULES) > 50


def test_modern_declarations_have_a_fallback_before_them():
    problems = []
    for selector, declarations in RULES:
        for index, (prop, value) in enumerate(declarations):
            before = [p for p, _ in declarations[:index]]
            for physical in FALLBACKS.get(prop, ()):
                # "padding-top" or the "padding" shorthand both do.
                if physical not in before and physical.rsplit("-", 1)[0] not in before:
                    problems.append(f"{selector}: {prop} needs {physical} before it")
            if re.search(r"\b(min|max|clamp)\(", value) and not any(
                p == prop and not re.search(r"\b(min|max|clamp)\(", v)
                for p, v in declarations[:index]
            ):
                problems.append(f"{selector}: {prop}: {value} needs a plain {prop} before it")
    assert not problems, "\n".join(problems)
