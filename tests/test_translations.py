"""Chinese is the default language: every string we show must be translated,
and the compiled catalogues must match their sources."""

import ast
import gettext
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = sorted(
    p for p in ROOT.glob("*/**/locale/zh_Hans/LC_MESSAGES/django.po") if ".venv" not in p.parts
)


def read_po(path: Path) -> tuple[dict[str, str], list[str]]:
    """A small .po reader: (msgid → msgstr for singular entries, fuzzy msgids)."""
    entries, fuzzy = {}, []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        flags = " ".join(line for line in lines if line.startswith("#,"))
        parts: dict[str, str] = {}
        key = None
        for line in lines:
            if line.startswith("#"):
                continue
            if line.startswith(("msgid ", "msgstr ", "msgctxt ", "msgid_plural ", "msgstr[")):
                key, _, literal = line.partition(" ")
                parts[key] = ast.literal_eval(literal)
            elif line.startswith('"') and key:
                parts[key] += ast.literal_eval(line)
        msgid = parts.get("msgid")
        if not msgid:
            continue
        if "msgctxt" in parts:
            msgid = f"{parts['msgctxt']}\x04{msgid}"
        entries[msgid] = parts.get("msgstr", parts.get("msgstr[0]", ""))
        if "fuzzy" in flags:
            fuzzy.append(msgid)
    return entries, fuzzy


def test_there_are_catalogues_for_every_app():
    apps = {str(p.relative_to(ROOT)).split("/locale/")[0] for p in CATALOGUES}
    assert {"lms", "lms/accounts", "lms/notifications", "cms"} <= apps


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_string_is_translated_and_compiled(po):
    entries, fuzzy = read_po(po)
    assert not fuzzy, f"fuzzy entries in {po}: {fuzzy}"
    untranslated = [msgid for msgid, msgstr in entries.items() if not msgstr]
    assert not untranslated, f"untranslated in {po}: {untranslated}"
    with open(po.with_suffix(".mo"), "rb") as mo:
        compiled = gettext.GNUTranslations(mo)._catalog
    stale = [
        msgid
        for msgid, msgstr in entries.items()
        if compiled.get(msgid, compiled.get((msgid, 0))) != msgstr
    ]
    assert not stale, f"{po.with_suffix('.mo')} is out of date; run make messages: {stale[:5]}"
