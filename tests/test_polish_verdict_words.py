"""A Polish reader tells a client's verdict from a finding's severity: the same report shows
both (the table's verdict column beside the findings' "do obserwacji: ..." lines, the page's
badges, a notice's "{verdict} (poziom: {severity})"). The verdict "monitor" was "do
obserwacji", the very words of the severity "watch"; it is now monitoring ("do monitoringu",
"Monitoruj"), and "obserwacja" is the severity's alone. The expected words are written by
hand; the English is the codes' and stays as it was."""

from __future__ import annotations

from clientguard import i18n
from clientguard.changes import word
from clientguard.findings import Severity
from clientguard.report.html import VERDICT_TEXT
from clientguard.report.table import VERDICTS
from clientguard.report.text import columns, severity_word
from clientguard.review import Recommendation

# The verdicts as a count, a notice and a heading say them ("Klienci: 2 do monitoringu",
# "ocena do monitoringu -> do renegocjacji warunków"), and a finding's severity.
VERDICTS_PL = {
    "ok": "bez zastrzeżeń",
    "monitor": "do monitoringu",
    "revise_terms": "do renegocjacji warunków",
    "consider_ending": "do rozważenia zakończenia współpracy",
}
SEVERITIES_PL = {"watch": "do obserwacji", "warning": "ostrzeżenie", "critical": "krytyczne"}
# The verdicts on the page's badges and in the table's column (15 columns wide).
BADGES_PL = {
    Recommendation.OK: "OK",
    Recommendation.MONITOR: "Monitoruj",
    Recommendation.REVISE_TERMS: "Renegocjuj warunki",
    Recommendation.CONSIDER_ENDING: "Rozważ zakończenie współpracy",
}
TABLE_PL = {
    Recommendation.OK: "bez zastrzeżeń",
    Recommendation.MONITOR: "do monitoringu",
    Recommendation.REVISE_TERMS: "RENEGOCJUJ",
    Recommendation.CONSIDER_ENDING: "ROZWAŻ KONIEC",
}
TABLE_VERDICT_COLUMNS = 15  # report/table.py's _COLUMNS[0]


def _verdict_words() -> set[str]:
    return {
        *(word(code) for code in VERDICTS_PL),
        *(i18n.gettext(VERDICT_TEXT[r]) for r in Recommendation),
        *(i18n.gettext(VERDICTS[r]) for r in Recommendation),
    }


def _severity_words() -> set[str]:
    return {*(word(code) for code in SEVERITIES_PL), *(severity_word(s) for s in Severity)}


def test_each_verdict_and_severity_in_polish() -> None:
    with i18n.using("pl"):
        assert {code: word(code) for code in VERDICTS_PL} == VERDICTS_PL
        assert {code: word(code) for code in SEVERITIES_PL} == SEVERITIES_PL
        assert {s.value: severity_word(s) for s in Severity} == SEVERITIES_PL
        assert {r: i18n.gettext(VERDICT_TEXT[r]) for r in Recommendation} == BADGES_PL
        assert {r: i18n.gettext(VERDICTS[r]) for r in Recommendation} == TABLE_PL
        # Every verdict fits the table's column whole (no "do monitorowan…").
        assert all(columns(w) <= TABLE_VERDICT_COLUMNS for w in TABLE_PL.values())
    # The English is the codes', as before.
    assert [word("monitor"), word("watch"), severity_word(Severity.WATCH)] == ["monitor",
                                                                            "watch", "watch"]
    assert i18n.gettext(VERDICT_TEXT[Recommendation.MONITOR]) == "Monitor"


def test_no_verdict_reads_as_a_severity() -> None:
    with i18n.using("pl"):
        verdicts, severities = _verdict_words(), _severity_words()
        assert not {w.casefold() for w in verdicts} & {w.casefold() for w in severities}
        # Nor shares the severity's word: "obserwacja" (watch) is the severity's alone.
        assert not [w for w in verdicts if "obserw" in w.casefold()]

