"""Validity of the operations' victims (issue 9, items 2 and 10), at 1:100 over three seeds.

One historical run per seed is shared by the module's tests. They check who the model
arrests and sentences to death, not only that the code runs: no children, men the great
majority of those sentenced to death (the record: 95% in Leningrad, G6-men-shot, which
is a check here and an input nowhere), and each operation's victims on its order's lines.
The unit tests below them check the lines' data file and the rules of model/lines.py and
model/album.py on small inputs.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from greatterror.evidence.errors import DataFileError
from greatterror.evidence.loader import load_evidence
from greatterror.model.album import hand_over_to_special_troikas, national_capacity
from greatterror.model.case_flags import NAMED
from greatterror.model.ledger import Ledger
from greatterror.model.lines import (
    JULY_LINES,
    acceptance,
    draw_accepting,
    line_of_marks,
    list_opening,
    load_lines,
    naming_fit,
    opened_acceptance,
)
from greatterror.model.run import simulate
from greatterror.model.scenario import load_scenario
from greatterror.model.state import Queue
from greatterror.paths import population_data_dir
from greatterror.population.codes import Mark, Occupation
from greatterror.vocabulary import CH, CHANNELS, LINES, LINES_OF, LN, OP, OPERATION_OF_LINE, Status

SCALE = 0.01
SEEDS = (1, 2, 3)
#: Issue 9, item 10: the least share of men among those sentenced to death at 1:100.
MIN_MALE_SHARE_SHOT = 0.90


@pytest.fixture(scope="module", params=SEEDS, ids=[f"seed{s}" for s in SEEDS])
def sim(request):
    evidence = load_evidence()
    return simulate(load_scenario("historical"), SCALE, request.param, evidence=evidence).simulation


def test_no_one_under_12_is_arrested_and_under_16s_are_under_1_percent(sim) -> None:
    arrested = np.flatnonzero(sim.cases.arrests)
    age = sim.pop["age"][arrested]
    weight = sim.weights(arrested) * sim.cases.arrests[arrested]
    assert len(arrested) > 10_000
    assert (age >= 12).all()
    assert weight[age < 16].sum() / weight.sum() < 0.01


def test_men_are_at_least_90_percent_of_those_sentenced_to_death(sim) -> None:
    c = sim.cases
    shot = np.flatnonzero((c.status == Status.SHOT) | (c.status == Status.SENTENCED_DEATH))
    w = sim.weights(shot)
    male = sim.pop["male"][shot]
    share = w[male].sum() / w.sum()
    by_op = {
        name: round(float(w[male & (c.op[shot] == code)].sum() / w[c.op[shot] == code].sum()), 3)
        for name, code in OP.items()
        if w[c.op[shot] == code].sum() > 0
    }
    assert share >= MIN_MALE_SHARE_SHOT, f"men {share:.3f} of those shot; by operation {by_op}"


def _on_line(sim, people: np.ndarray, line: str) -> np.ndarray:
    """Whether each person is on the line's register (or fits its profile, for the one line
    with no register)."""
    reg, pop = sim.registers, sim.pop
    spec = reg.specs[line]
    if spec.register.startswith("mark:"):
        bits = 0
        for mark in spec.register[5:].split("|"):
            bits |= int(Mark[mark])
        return (pop["marks"][people] & bits) != 0
    if spec.register == "camps":
        return pop["region"][people] == sim.inst.camps_region
    if spec.register == "profile":
        age = pop["age"][people]
        return (age >= spec.age_low) & (age <= spec.age_high)
    members = reg.lines[line].groups.members
    return np.isin(people, members)


def test_each_operations_victims_belong_to_its_lines(sim) -> None:
    c = sim.cases
    for op, lines in LINES_OF.items():
        victims = np.flatnonzero((c.op == OP[op]) & (c.arrests > 0))
        assert len(victims) > 20, op
        line = c.line[victims]
        assert (line > 0).all(), f"{op}: victims without a line"
        assert {OPERATION_OF_LINE[code] for code in np.unique(line)} == {op}
        assert {LINES[code] for code in np.unique(line)} <= set(lines)
        for code in np.unique(line).tolist():
            people = victims[line == code]
            listed = people[~c.has(NAMED, people)]
            on = _on_line(sim, listed, LINES[code])
            assert on.all(), f"{op}: {np.count_nonzero(~on)} on {LINES[code]} off its register"


def test_the_national_operations_reach_people_of_other_nationalities(sim) -> None:
    """The orders named people with ties to a country whatever their nationality; the Harbin
    order's widened line is drawn from outside the Harbinites altogether."""
    c, nat = sim.cases, sim.pop["nationality"]
    polish = np.flatnonzero((c.op == OP["national_polish"]) & (c.arrests > 0))
    other = np.count_nonzero(nat[polish] != 1) / len(polish)  # Nationality.POLISH
    assert 0.1 < other < 0.9


def test_those_named_take_the_line_of_the_case_that_named_them(sim) -> None:
    c = sim.cases
    named = np.flatnonzero(c.unpacked(NAMED) & (c.arrests > 0) & (c.line > 0))
    assert len(named) > 100
    line_op = np.array([OP.get(op, -1) for op in OPERATION_OF_LINE])[c.line[named]]
    # a case pending at the halt of 17 November 1938 went to the courts or the Special Board
    # and is no longer the operation's, but keeps the line it was arrested on
    halt = (dt.date(1938, 11, 17) - sim.start).days
    reviewed = (c.op[named] == OP["ordinary"]) & (c.arrest_day[named] < halt)
    assert (line_op == c.op[named])[~reviewed].all()
    assert reviewed.mean() < 0.2, "most named cases on a line are not the operation's"


#: The GUGB summary of Order 00447's arrests to 15 August 1937 (V-00447-kulak-share-150837 and
#: -crim-share-150837, tragediya_t5): former kulaks 53.0% and criminals 27.1% of the arrests
#: with a line given, in 57 regions (the camps' own operation apart).
RECORD_KULAK_150837, RECORD_CRIMINAL_150837 = 0.530, 0.271


def test_order_00447_lists_take_the_criminals_by_the_orders_category(sim) -> None:
    """Validity (issue 9, item 2): the order's criminal line is the recidivists who had served
    their terms or fled, not everyone once convicted (data/population/lines.csv,
    ``category_share``), so criminals are not the bulk of the order's first weeks. To 15 August
    1937 former kulaks are at least 0.4 times their share in the GUGB summary, and criminals at
    most 3 times as many as former kulaks (the summary: 0.51 times). When the lists took the
    whole prior-conviction register alike, the model had 12-13% former kulaks and 48-50%
    criminals, about 4 criminals to a former kulak (docs/validation.md), and this failed.

    The bound is on the two lines' ratio, which the category share governs, since branch
    kulaklines: the July lists (model/lines.py ``JULY_LINES``) held these two lines only, so to
    15 August they make up most of the arrests and each line's share of them depends on the
    other lines' opening, not on the criminal line's category. (Before, the bound was criminals
    at most 1.5 times their 27.1%; with the lines the order added at 14% of the first ten days,
    as against the record's 20%, criminals are 42-50%, seeds 1-3.) The rest of the gap is named
    in docs/validation.md ("Order 00447's arrests by line")."""
    kulak, criminal = _first_weeks_shares(sim)
    assert kulak >= 0.4 * RECORD_KULAK_150837, (kulak, criminal)
    assert criminal <= 3 * kulak, (kulak, criminal)


def _first_weeks_shares(sim) -> tuple[float, float]:
    """Former kulaks' and criminals' shares of Order 00447's arrests to 15 August 1937."""
    c = sim.cases
    end = (dt.date(1937, 8, 15) - sim.start).days
    idx = np.flatnonzero(
        (c.op == OP["kulak_00447"])
        & (c.arrests > 0)
        & (c.arrest_day <= end)
        & (c.line != LN["camp_prisoner"])
    )
    w = sim.weights(idx)
    assert w.sum() > 20_000, "too few arrests to 15 August 1937 to read shares"
    kulak = w[c.line[idx] == LN["former_kulak"]].sum() / w.sum()
    return float(kulak), float(w[c.line[idx] == LN["criminal"]].sum() / w.sum())


@pytest.mark.xfail(
    strict=True,
    reason="a known miss, not a passing test (review of 5 Dec 2026): with the July lists first, "
    "criminals are 42-50% of the arrests to 15 August 1937 against the record's 27.1%; the two "
    "registers' sizes (pop_former_kulaks_at_large_share, the criminal line's category_share) "
    "are priors, NOT FOUND (docs/validation.md, 'Order 00447's arrests by line')",
)
def test_order_00447s_first_weeks_hold_no_more_criminals_than_the_record_allows(sim) -> None:
    """The record's bound, kept as a strict expected failure: it fails today on every seed,
    and when a sourced register size makes it pass, pytest reports it, so the mark comes off."""
    _, criminal = _first_weeks_shares(sim)
    assert criminal <= 1.5 * RECORD_CRIMINAL_150837, criminal


def test_order_00447s_first_lists_hold_the_july_lines(sim) -> None:
    """Validity (issue 9, item 2): the lists of the operation's first days were those compiled
    in July under the Politburo's decision of 2 July 1937, of former kulaks and criminals; the
    lines the order of 30 July added (clergy and sectarians, former party members and Whites,
    the unregistered) come on as their lists are compiled (``list_compile_days``). In the first
    week they are under half their share of October-November 1937. With every line open from
    the start they were 32-41% of the first ten days (seeds 1-3), as many as later, and this
    failed."""
    c = sim.cases
    july = np.isin(c.line, [LN["former_kulak"], LN["criminal"], LN["camp_prisoner"]])
    base = (c.op == OP["kulak_00447"]) & (c.arrests > 0) & (c.line != LN["camp_prisoner"])

    def added_share(first: dt.date, last: dt.date) -> float:
        a, b = (first - sim.start).days, (last - sim.start).days
        idx = np.flatnonzero(base & (c.arrest_day >= a) & (c.arrest_day <= b))
        w = sim.weights(idx)
        assert w.sum() > 5_000
        return float(w[~july[idx]].sum() / w.sum())

    early = added_share(dt.date(1937, 8, 1), dt.date(1937, 8, 12))
    late = added_share(dt.date(1937, 10, 1), dt.date(1937, 11, 30))
    assert early < 0.5 * late, (early, late)


def test_the_clergy_lines_victims_include_the_church_activists(sim) -> None:
    """Validity (issue 9, item 2): the order's 'churchmen and sectarians' were mostly lay
    activists (19,904 of the 31,359 arrested in August-November 1937,
    pop_clergy_arrested_aug_nov1937), whom the clergy mark holds since branch kulaklines
    (pop_church_activists_1937). The line's victims carry the mark; most are not clergy, and
    those are aged 45 or over (the activists' age prior). With the mark on clergy only, every
    victim of the line was clergy, and this failed."""
    c, pop = sim.cases, sim.pop
    idx = np.flatnonzero((c.line == LN["clergy_sectarian"]) & (c.arrests > 0) & ~c.unpacked(NAMED))
    assert len(idx) > 50
    assert ((pop["marks"][idx] & Mark.CLERGY_SECTARIAN) != 0).all()
    lay = idx[pop["occupation"][idx] != Occupation.CLERGY]
    assert len(lay) > 0.5 * len(idx), (len(lay), len(idx))
    assert (pop["age"][lay] >= 45).all()


# -- the rules, on small inputs -------------------------------------------------------------
def test_the_lines_file_lists_every_line_once_with_a_basis() -> None:
    specs = load_lines()
    assert set(specs) == set(LINES[1:])
    for spec in specs.values():
        assert spec.operation == OPERATION_OF_LINE[LN[spec.name]]
        if spec.register == "drawn":
            assert spec.size > 0 and spec.male_share is not None
            assert 16 <= spec.age_low < spec.age_high


def test_every_source_of_the_lines_file_is_a_known_source() -> None:
    import csv

    evidence = population_data_dir().parent / "evidence"
    known = {"none"}
    for name in ("sources.csv", "sources_population.csv"):
        with (evidence / name).open(encoding="utf-8", newline="") as handle:
            known |= {row["key"] for row in csv.DictReader(handle)}
    with (population_data_dir() / "lines.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            assert set(row["source"].split(";")) <= known, row["line"]
            if row["kind"] == "drawn" and row["prior"] == "":
                assert row["source"] != "none", row["line"]


def test_a_lines_share_of_men_lies_in_its_range_and_names_its_basis() -> None:
    """Each line's share of men lies in its own range; a line on the memorial books' proxy
    (Ilic 2006: women about 5% of the victims of political repression) cites that source; and
    the share of men among those shot (G6-men-shot) is named only as a check, never a basis."""
    import csv

    with (population_data_dir() / "lines.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    on_proxy = [row["line"] for row in rows if "Ilic 2006" in row["note"]]
    assert len(on_proxy) >= 10, on_proxy
    for row in rows:
        if row["male_share"]:
            low, share, high = (
                float(row[k]) for k in ("male_share_low", "male_share", "male_share_high")
            )
            assert low <= share <= high, row["line"]
        if "Ilic 2006" in row["note"]:
            assert "ilic2006" in row["source"].split(";"), row["line"]
        if "G6-men-shot" in row["note"]:
            assert "stays a check" in row["note"], row["line"]


def test_a_line_of_an_unknown_operation_is_refused_with_its_field(tmp_path: Path) -> None:
    text = (population_data_dir() / "lines.csv").read_text(encoding="utf-8")
    bad = tmp_path / "lines.csv"
    bad.write_text(text.replace("pol_pow,national_polish", "pol_pow,national_swiss"), "utf-8")
    with pytest.raises(DataFileError, match="pol_pow"):
        load_lines(bad)


def test_a_persons_00447_line_is_the_first_of_the_orders_lines_among_his_marks() -> None:
    specs = load_lines()
    marks = np.array(
        [Mark.FORMER_KULAK | Mark.PRIOR_CONVICTION, Mark.PRIOR_CONVICTION, Mark.WHITE_OFFICER, 0],
        dtype=np.uint8,
    )
    got = [LINES[c] for c in line_of_marks(marks, specs)]
    assert got == ["former_kulak", "criminal", "party_officer", "none"]


def test_lists_take_only_the_categorys_share_of_a_register_named_by_the_order() -> None:
    """A line whose ``category_share`` is below 1 has that share of its register put on the
    lists, men and women alike; the other lines keep their sex acceptance."""
    listed, register = np.array([0.5, 0.92, 0.92]), np.array([0.5, 0.7, 0.92])
    acc = acceptance(listed, register, np.array([1.0, 1.0, 0.35]))
    assert acc[:2] == pytest.approx(acceptance(listed[:2], register[:2]))
    assert acc[2] == pytest.approx([0.35, 0.35])
    assert load_lines()["criminal"].category_share < 1.0
    assert all(s.category_share == 1.0 for s in load_lines().values() if s.name != "criminal")


def test_the_lines_the_order_added_open_over_the_compile_time() -> None:
    assert list_opening(-3, 34) == 0.0
    assert list_opening(0, 34) == 0.0
    assert list_opening(17, 34) == pytest.approx(0.5)
    assert list_opening(60, 34) == 1.0
    assert list_opening(0, 0) == 1.0


def test_closed_lists_draw_only_the_july_lines() -> None:
    """Before the lines the order added are open, a draw from a register holding every line
    of Order 00447 gives only former kulaks and criminals; once open, the others too."""
    codes = np.array([LN[n] for n in LINES_OF["kulak_00447"] if n != "anti_soviet_other"])
    line_at = np.repeat(codes, 50).astype(np.uint8)
    n = len(line_at)
    members = np.arange(n, dtype=np.int32)
    male = np.ones(n, dtype=bool)
    accept = np.ones((len(LINES), 2))
    counts, sizes, starts = np.array([400]), np.array([n]), np.array([0])
    u = np.random.default_rng(5).random(2 * 400 * 16)
    closed = draw_accepting(
        counts, sizes, starts, members, line_at, male, opened_acceptance(accept, 0.0), u, 16
    )
    got = {LINES[k] for k in np.unique(line_at[closed[closed >= 0]])}
    assert got == set(JULY_LINES)
    opened = draw_accepting(
        counts, sizes, starts, members, line_at, male, opened_acceptance(accept, 1.0), u, 16
    )
    assert {LINES[k] for k in np.unique(line_at[opened])} > set(JULY_LINES)


def test_a_category_share_on_a_line_without_a_mark_register_is_refused(tmp_path: Path) -> None:
    rows = (population_data_dir() / "lines.csv").read_text(encoding="utf-8").splitlines()
    head = rows[0].split(",")
    i = head.index("category_share")
    for k, row in enumerate(rows):
        if row.startswith("pol_pow,"):
            cells = row.split(",")
            cells[i] = "0.5"
            rows[k] = ",".join(cells)
    bad = tmp_path / "lines.csv"
    bad.write_text("\n".join(rows) + "\n", "utf-8")
    with pytest.raises(DataFileError, match=r"category_share applies to a .mark. line only"):
        load_lines(bad)


def test_a_category_share_outside_its_own_range_is_refused(tmp_path: Path) -> None:
    rows = (population_data_dir() / "lines.csv").read_text(encoding="utf-8").splitlines()
    head = rows[0].split(",")
    i = head.index("category_share")
    for k, row in enumerate(rows):
        if row.startswith("criminal,"):
            cells = row.split(",")
            cells[i] = "0.9"  # above the line's category_share_high
            rows[k] = ",".join(cells)
    bad = tmp_path / "lines.csv"
    bad.write_text("\n".join(rows) + "\n", "utf-8")
    with pytest.raises(DataFileError, match=r"category_share 0.9 is not allowed"):
        load_lines(bad)


def test_lists_take_the_categorys_share_of_men_from_a_register_with_its_own() -> None:
    listed, register = np.array([0.5, 0.92]), np.array([0.5, 0.7])
    acc = acceptance(listed, register)
    assert acc.max() == pytest.approx(1.0)
    men = register[1] * acc[1, 1]
    assert men / (men + (1 - register[1]) * acc[1, 0]) == pytest.approx(0.92)
    assert acc[0] == pytest.approx([1.0, 1.0])
    fit = naming_fit(np.array([0.5, 0.9]))
    assert fit[0] == pytest.approx([1.0, 1.0]) and fit[1] == pytest.approx([1 / 9, 1.0])


def test_the_album_throughput_follows_the_pending_caseload_after_its_lag() -> None:
    ledger = Ledger(100, 1)
    p = {
        "album_capacity": 500.0,
        "album_capacity_elasticity": 0.5,
        "album_capacity_lag_days": 10,
        "album_dvoika_ceiling": 1e9,  # out of the way here; its own test below
    }
    assert national_capacity(p, ledger, 5) == pytest.approx(500.0)
    ledger.backlog[20, CH["album"]] = 5_000.0  # ten days of the base throughput
    assert national_capacity(p, ledger, 29) == pytest.approx(500.0)
    assert national_capacity(p, ledger, 30) == pytest.approx(500.0 * 2**0.5)
    ledger.backlog[40, CH["special_troika"]] = 50_000.0
    assert national_capacity(p, ledger, 50) > national_capacity(p, ledger, 30)
    assert national_capacity({**p, "album_capacity_elasticity": 0.0}, ledger, 50) == 500.0


def test_the_album_throughput_stops_at_the_dvoikas_ceiling() -> None:
    """Every album passed through the same two men (model/album.py): however long the queue,
    the album decides no more than ``album_dvoika_ceiling`` cases a day, and below the
    ceiling the rule is unchanged."""
    ledger = Ledger(100, 1)
    p = {
        "album_capacity": 500.0,
        "album_capacity_elasticity": 0.5,
        "album_capacity_lag_days": 10,
        "album_dvoika_ceiling": 600.0,
    }
    assert national_capacity(p, ledger, 5) == pytest.approx(500.0)
    ledger.backlog[40, CH["album"]] = 1_000_000.0
    assert national_capacity({**p, "album_dvoika_ceiling": 1e9}, ledger, 50) > 5_000.0
    assert national_capacity(p, ledger, 50) == pytest.approx(600.0)
    assert national_capacity({**p, "album_dvoika_ceiling": 300.0}, ledger, 5) == 300.0


def test_the_special_troikas_take_over_the_album_backlog_in_order() -> None:
    from types import SimpleNamespace

    inst = SimpleNamespace(queues=[Queue() for _ in CHANNELS], carry=[0.0] * len(CHANNELS))
    inst.queues[CH["album"]].push(np.array([4, 2, 9]))
    hand_over_to_special_troikas(inst, special_troikas=False)  # type: ignore[arg-type]
    assert len(inst.queues[CH["album"]]) == 3
    hand_over_to_special_troikas(inst, special_troikas=True)  # type: ignore[arg-type]
    assert len(inst.queues[CH["album"]]) == 0
    assert inst.queues[CH["special_troika"]].peek().tolist() == [4, 2, 9]
