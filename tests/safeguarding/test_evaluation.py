"""The screener on the evaluation set: recall first, few false alarms, and the docs show the table."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.safeguarding.evaluation import (
    AFTER_DATA3,
    BEGIN,
    BY_NAME,
    DATA3,
    DOCS,
    EIGHTEENTH,
    EIGHTH,
    ELEVENTH,
    END,
    EXTRA,
    FIFTEENTH,
    FIFTH,
    FOURTEENTH,
    FOURTH,
    NINETEENTH,
    NINTH,
    REGISTRY,
    SET,
    SETS_33_TO_40,
    SETS_41_TO_48,
    SETS_49_TO_56,
    SETS_57_TO_64,
    SEVENTEENTH,
    SEVENTH,
    SIXTEENTH,
    SIXTH,
    TENTH,
    THIRTEENTH,
    TWELFTH,
    TWENTIETH,
    TWENTYEIGHTH,
    TWENTYSEVENTH,
    UNSEEN,
    evaluate,
    held_out_table,
    load_items,
    main,
    table,
)


def test_the_set_is_large_and_covers_every_category() -> None:
    items = load_items()
    assert len(items) >= 300
    disclosed = {i.category for i in items if i.disclosure}
    from voice_service.safeguarding.screening import default_screener

    assert disclosed == set(default_screener().categories)
    assert {i.split for i in items} == {"dev", "held-out"}


def test_recall_is_at_least_95_percent_and_false_alarms_at_most_10_percent_by_phrases() -> None:
    from tests.safeguarding.evaluation import phrases_only

    overall = evaluate(load_items(), phrases_only())["all"]
    assert overall.recall >= 0.95, f"recall {overall.recall:.1%}"
    assert overall.false_alarm_rate <= 0.10, f"false alarms {overall.false_alarm_rate:.1%}"


def test_the_learned_model_adds_recall_at_a_known_cost_in_false_alarms() -> None:
    overall = evaluate(load_items())["all"]
    assert overall.recall >= 0.97, f"recall {overall.recall:.1%}"
    # Its dev half is training data, so this is kinder than the held-out parts (docs/safeguarding.md).
    assert overall.false_alarm_rate <= 0.10, f"false alarms {overall.false_alarm_rate:.1%}"


def test_every_category_catches_most_of_its_disclosures() -> None:
    rows = evaluate(load_items())
    weak = {name: f"{row.recall:.0%}" for name, row in rows.items() if row.disclosures and row.recall < 0.85}
    assert weak == {}


def test_docs_show_the_current_table() -> None:
    text = DOCS.read_text(encoding="utf-8")
    assert BEGIN in text
    assert END in text
    assert table(load_items()) in text, "run: .venv/bin/python -m tests.safeguarding.evaluation --write-docs"


def test_docs_show_the_second_sets_current_table() -> None:
    text = DOCS.read_text(encoding="utf-8")
    begin, end = BY_NAME["extra"].markers
    assert begin in text
    assert end in text
    assert table(load_items(EXTRA)) in text, "run: .venv/bin/python -m tests.safeguarding.evaluation --write-docs"


def test_the_second_set_is_its_own_phrasings() -> None:
    first = {i.text.lower() for i in load_items()}
    second = load_items(EXTRA)
    assert len(second) >= 300
    assert not first & {i.text.lower() for i in second}
    # Its dev half was tuned on: every disclosure there is caught, and no look-alike raises an alert.
    dev = evaluate([i for i in second if i.split == "dev"])["all"]
    assert dev.recall == 1.0
    assert dev.false_alarm_rate <= 0.05


def test_the_third_set_is_new_phrasings_of_every_category() -> None:
    earlier = {i.text.lower() for i in load_items() + load_items(EXTRA)}
    third = load_items(UNSEEN)
    assert len(third) >= 100
    assert not earlier & {i.text.lower() for i in third}
    from voice_service.safeguarding.screening import default_screener

    assert {i.category for i in third if i.disclosure} == set(default_screener().categories)


def test_the_fifth_set_is_new_phrasings_half_of_them_ordinary() -> None:
    earlier = {i.text.lower() for i in load_items() + load_items(EXTRA) + load_items(UNSEEN) + load_items(FOURTH)}
    fifth = load_items(FIFTH)
    assert len(fifth) >= 200
    assert not earlier & {i.text.lower() for i in fifth}
    assert 0.4 <= sum(i.disclosure for i in fifth) / len(fifth) <= 0.6
    from voice_service.safeguarding.screening import default_screener

    categories = set(default_screener().categories)
    assert {i.category for i in fifth if i.disclosure} == categories
    assert {i.category for i in fifth if not i.disclosure} == categories | {"general"}


def test_the_sixth_set_is_new_phrasings_half_of_them_ordinary() -> None:
    earlier = load_items() + load_items(EXTRA) + load_items(UNSEEN) + load_items(FOURTH) + load_items(FIFTH)
    sixth = load_items(SIXTH)
    assert len(sixth) >= 240
    assert not {i.text.lower() for i in earlier} & {i.text.lower() for i in sixth}
    assert 0.4 <= sum(i.disclosure for i in sixth) / len(sixth) <= 0.6
    from voice_service.safeguarding.screening import default_screener

    categories = set(default_screener().categories)
    assert {i.category for i in sixth if i.disclosure} == categories
    assert {i.category for i in sixth if not i.disclosure} == categories | {"general"}


def test_the_seventh_set_is_new_phrasings_about_half_of_them_ordinary() -> None:
    earlier = load_items() + load_items(EXTRA) + load_items(UNSEEN) + load_items(FOURTH) + load_items(FIFTH)
    earlier += load_items(SIXTH)
    seventh = load_items(SEVENTH)
    assert len(seventh) >= 260
    assert len({i.text.lower() for i in seventh}) == len(seventh)
    assert not {i.text.lower() for i in earlier} & {i.text.lower() for i in seventh}
    assert 0.4 <= sum(i.disclosure for i in seventh) / len(seventh) <= 0.6
    from voice_service.safeguarding.screening import default_screener

    categories = set(default_screener().categories)
    assert {i.category for i in seventh if i.disclosure} == categories
    assert {i.category for i in seventh if not i.disclosure} == categories | {"general"}


def test_the_eighth_set_is_new_phrasings_about_half_of_them_ordinary() -> None:
    earlier = load_items() + load_items(EXTRA) + load_items(UNSEEN) + load_items(FOURTH) + load_items(FIFTH)
    earlier += load_items(SIXTH) + load_items(SEVENTH)
    eighth = load_items(EIGHTH)
    assert len(eighth) >= 270
    assert len({i.text.lower() for i in eighth}) == len(eighth)
    assert not {i.text.lower() for i in earlier} & {i.text.lower() for i in eighth}
    assert 0.4 <= sum(i.disclosure for i in eighth) / len(eighth) <= 0.6
    from voice_service.safeguarding.screening import default_screener

    categories = set(default_screener().categories)
    for category in categories:
        assert sum(i.disclosure and i.category == category for i in eighth) >= 11, category
        assert sum(not i.disclosure and i.category == category for i in eighth) >= 12, category
    assert {i.category for i in eighth if not i.disclosure} == categories | {"general"}


#: Every evaluation set in the order it was written: a blind set is compared with all before it.
WRITTEN_ORDER = [SET, EXTRA, UNSEEN, FOURTH, FIFTH, SIXTH, SEVENTH, EIGHTH, NINTH, TENTH, ELEVENTH, TWELFTH]
WRITTEN_ORDER += [THIRTEENTH, FOURTEENTH, FIFTEENTH, SIXTEENTH, SEVENTEENTH, EIGHTEENTH, NINETEENTH, TWENTIETH]
WRITTEN_ORDER += [*DATA3, *AFTER_DATA3, *SETS_33_TO_40, *SETS_41_TO_48, *SETS_49_TO_56, *SETS_57_TO_64]

#: The blind sets from the ninth on: (file, at least this many phrasings, at most this many equal to an
#: earlier set's, at least this many disclosures and look-alikes per category).
BLIND_SETS = [
    pytest.param(NINTH, 350, 11, 14, 17, id="ninth"),
    pytest.param(TENTH, 343, 7, 13, 16, id="tenth"),
    pytest.param(ELEVENTH, 368, 2, 14, 17, id="eleventh"),
    pytest.param(TWELFTH, 371, 5, 15, 18, id="twelfth"),
    pytest.param(THIRTEENTH, 386, 10, 16, 18, id="thirteenth"),
    pytest.param(FOURTEENTH, 373, 4, 15, 18, id="fourteenth"),
    pytest.param(FIFTEENTH, 357, 1, 14, 16, id="fifteenth"),
    pytest.param(SIXTEENTH, 380, 1, 15, 17, id="sixteenth"),
    # Domestic abuse keeps 14 disclosures: two of its 16 equalled training phrasings and were taken out.
    pytest.param(SEVENTEENTH, 366, 2, 14, 15, id="seventeenth"),
    # Suicidal thoughts keeps 15 disclosures and not_safe 18 look-alikes after the phrasings equal to training
    # phrasings were taken out; thirteen kept short ones ("idk", "this survey is killing me"...) equal earlier sets'.
    pytest.param(EIGHTEENTH, 442, 13, 15, 18, id="eighteenth"),
    # Phrasings equal to any the model trains on (the examples, the first to eighteenth sets) were taken out
    # before the one score. The twentieth, written beside the nineteenth (neither author read the other), shares
    # four short phrasings with it.
    # Since "data3" also less the phrasings equal to the twenty-first to twenty-sixth sets' (8 and 5).
    pytest.param(NINETEENTH, 431, 0, 15, 19, id="nineteenth"),
    pytest.param(TWENTIETH, 420, 3, 14, 19, id="twentieth"),
    # Written together by author21 to author28; less the phrasings equal to any the shipped model trained on
    # when each was scored (and, for the twenty-seventh and twenty-eighth, to the twenty-first to twenty-sixth).
    pytest.param(DATA3[0], 442, 0, 16, 20, id="twentyfirst"),
    pytest.param(DATA3[1], 440, 0, 16, 20, id="twentysecond"),
    pytest.param(DATA3[2], 444, 0, 15, 21, id="twentythird"),
    pytest.param(DATA3[3], 436, 4, 15, 20, id="twentyfourth"),
    pytest.param(DATA3[4], 427, 5, 14, 18, id="twentyfifth"),
    pytest.param(DATA3[5], 449, 0, 16, 21, id="twentysixth"),
    pytest.param(TWENTYSEVENTH, 424, 3, 15, 18, id="twentyseventh"),
    pytest.param(TWENTYEIGHTH, 443, 0, 16, 21, id="twentyeighth"),
    # Written together by author29 to author32; less the phrasings equal to any "data3" trains on (45, 18, 18, 33).
    pytest.param(AFTER_DATA3[0], 410, 3, 13, 16, id="twentyninth"),
    pytest.param(AFTER_DATA3[1], 437, 3, 17, 18, id="thirtieth"),
    pytest.param(AFTER_DATA3[2], 437, 3, 14, 19, id="thirtyfirst"),
    pytest.param(AFTER_DATA3[3], 422, 2, 12, 18, id="thirtysecond"),
    # Written together by author33 to author40; less the phrasings equal to any "data3" trains on (24, 29, 16,
    # 25, 28, 24, 30, 32). Trained on since "data4".
    pytest.param(SETS_33_TO_40[0], 431, 9, 15, 20, id="thirtythird"),
    pytest.param(SETS_33_TO_40[1], 426, 4, 14, 19, id="thirtyfourth"),
    pytest.param(SETS_33_TO_40[2], 439, 5, 15, 20, id="thirtyfifth"),
    pytest.param(SETS_33_TO_40[3], 430, 10, 15, 20, id="thirtysixth"),
    pytest.param(SETS_33_TO_40[4], 427, 7, 12, 20, id="thirtyseventh"),
    pytest.param(SETS_33_TO_40[5], 431, 6, 15, 20, id="thirtyeighth"),
    pytest.param(SETS_33_TO_40[6], 425, 19, 15, 18, id="thirtyninth"),
    pytest.param(SETS_33_TO_40[7], 423, 5, 12, 18, id="fortieth"),
    # Written together by author41 to author48; less the phrasings equal to any "data4" trains on (43, 29, 17,
    # 45, 14, 11, 35, 26).
    pytest.param(SETS_41_TO_48[0], 412, 6, 14, 18, id="fortyfirst"),
    pytest.param(SETS_41_TO_48[1], 426, 3, 16, 18, id="fortysecond"),
    pytest.param(SETS_41_TO_48[2], 438, 3, 16, 18, id="fortythird"),
    pytest.param(SETS_41_TO_48[3], 410, 8, 14, 17, id="fortyfourth"),
    pytest.param(SETS_41_TO_48[4], 441, 0, 15, 21, id="fortyfifth"),
    pytest.param(SETS_41_TO_48[5], 444, 0, 15, 20, id="fortysixth"),
    pytest.param(SETS_41_TO_48[6], 420, 1, 14, 18, id="fortyseventh"),
    pytest.param(SETS_41_TO_48[7], 429, 6, 14, 19, id="fortyeighth"),
    # Written together by author49 to author56 to be trained on ("data5"), kept whole: short common phrasings
    # ("i feel safe at home") equal earlier sets'.
    pytest.param(SETS_49_TO_56[0], 455, 56, 18, 22, id="fortyninth"),
    pytest.param(SETS_49_TO_56[1], 455, 43, 18, 22, id="fiftieth"),
    pytest.param(SETS_49_TO_56[2], 455, 40, 18, 22, id="fiftyfirst"),
    pytest.param(SETS_49_TO_56[3], 455, 38, 18, 22, id="fiftysecond"),
    pytest.param(SETS_49_TO_56[4], 455, 24, 18, 22, id="fiftythird"),
    pytest.param(SETS_49_TO_56[5], 455, 34, 18, 22, id="fiftyfourth"),
    pytest.param(SETS_49_TO_56[6], 455, 52, 18, 22, id="fiftyfifth"),
    pytest.param(SETS_49_TO_56[7], 455, 56, 18, 22, id="fiftysixth"),
    # Written together by author57 to author64; less the phrasings equal to any "data5" trains on (62, 45, 61,
    # 42, 35, 20, 53, 43).
    pytest.param(SETS_57_TO_64[0], 393, 3, 11, 19, id="fiftyseventh"),
    pytest.param(SETS_57_TO_64[1], 410, 1, 12, 15, id="fiftyeighth"),
    pytest.param(SETS_57_TO_64[2], 394, 2, 12, 17, id="fiftyninth"),
    pytest.param(SETS_57_TO_64[3], 413, 2, 12, 18, id="sixtieth"),
    pytest.param(SETS_57_TO_64[4], 420, 2, 13, 18, id="sixtyfirst"),
    pytest.param(SETS_57_TO_64[5], 435, 0, 13, 19, id="sixtysecond"),
    pytest.param(SETS_57_TO_64[6], 402, 3, 14, 18, id="sixtythird"),
    pytest.param(SETS_57_TO_64[7], 412, 0, 12, 19, id="sixtyfourth"),
]


@pytest.mark.parametrize(("path", "size", "repeats", "told", "ordinary"), BLIND_SETS)
def test_a_blind_set_is_new_phrasings_of_every_category(
    path: Path, size: int, repeats: int, told: int, ordinary: int
) -> None:
    earlier = [i for b in WRITTEN_ORDER[: WRITTEN_ORDER.index(path)] for i in load_items(b)]
    items = load_items(path)
    assert len(items) >= size
    assert len({i.text.lower() for i in items}) == len(items)
    # Written blind, a few phrasings happen to equal earlier sets' (common ways of saying it).
    assert len({i.text.lower() for i in earlier} & {i.text.lower() for i in items}) <= repeats
    from voice_service.safeguarding.screening import default_screener

    for category in default_screener().categories:
        assert sum(i.disclosure and i.category == category for i in items) >= told, category
        assert sum(not i.disclosure and i.category == category for i in items) >= ordinary, category


def test_the_twelfth_set_scores_no_worse_than_its_one_blind_score() -> None:
    # Scored once (docs/safeguarding.md, "The twelfth set"): 92.1% (152/165) caught, 39.8% (82/206) false
    # alarms, with the model trained on the ten earlier sets; one more miss or one more false alarm fails.
    # Scored once more after the "phrases" round's exceptions: 152/165, 38.8% (80/206); after the
    # "misread" round's fixes 152/165, 38.3% (79/206); after the "long3" round's window floor 152/165, 37.9% (78/206).
    from tests.safeguarding.evaluation import phrases_only

    items = load_items(TWELFTH)
    both = evaluate(items)["all"]
    assert both.recall >= 0.92, f"recall {both.recall:.1%}"
    assert both.false_alarm_rate <= 0.379, f"false alarms {both.false_alarm_rate:.1%}"
    assert both.recall >= evaluate(items, phrases_only())["all"].recall


#: Each later blind set's one score, as bounds: (its file, disclosures, look-alikes, at least caught, at most
#: false alarms). One more miss or one more false alarm fails. docs/safeguarding.md has each set's section.
#: Since "data2" the model trains on the eleventh to eighteenth: their bounds are regression guards only.
BLIND_SCORES = [
    # Scored once at f12465f: 171/177 caught, 46/209 false alarms.
    pytest.param(THIRTEENTH, 177, 209, 171, 46, id="thirteenth"),
    # Scored once at 217ebdb: 165/167, 109/206; after the "misread" round 165/167, 107/206; "long3" 165/167, 93/206;
    # "phrase4" (a long answer's phrase needs the model's support) 165/167, 82/206.
    pytest.param(FOURTEENTH, 167, 206, 165, 82, id="fourteenth"),
    # Scored once at 52a79ee: 161/166, 94/198; less the seven phrasings equal to training phrasings taken
    # out after (3/3 caught, 0/4 false alarms), 158/163 and 94/194; after the "misread" round 159/163, 91/194;
    # after the "long3" round's window floor 159/163, 80/194; after "phrase4" 159/163, 75/194.
    pytest.param(FIFTEENTH, 163, 194, 159, 75, id="fifteenth"),
    # Scored once at e9cda17: 172/176, 84/206; less the two phrasings equal to training phrasings taken out
    # after (1/1 caught, 0/1 false alarms), 171/175 and 84/205; after the "long3" round's window floor 171/175, 71/205;
    # after "phrase4" 171/175, 62/205.
    pytest.param(SIXTEENTH, 175, 205, 171, 62, id="sixteenth"),
    # Scored once at 07fd7ff: 175/176, 69/209; less the nineteen phrasings equal to training phrasings taken
    # out after (8/8 caught, 0/11 false alarms), 167/168 and 69/198; "long3" confirmed on it: 167/168, 62/198;
    # after "phrase4" 167/168, 54/198.
    pytest.param(SEVENTEENTH, 168, 198, 167, 54, id="seventeenth"),
    # Scored once at aff2386: 197/198, 95/268; less the twenty-four phrasings equal to training phrasings taken
    # out after (6/6 caught, 2/18 false alarms), 191/192 and 93/250; "phrase4" confirmed on it: 191/192, 85/250.
    pytest.param(EIGHTEENTH, 192, 250, 191, 85, id="eighteenth"),
    # Scored once at cb2cc66 by the declared "data2" model (trained on the first to eighteenth sets, veto 0.1),
    # after the sixteen phrasings equal to its training phrasings were taken out: 186/187, 46/252 (as shipped
    # before, 185/187 and 62/252).
    # Scored once more at 199c9d3 by the declared "data3" model (also trained on the twenty-first to twenty-sixth,
    # strong floor 0.03), less the eight phrasings equal to those sets': 183/183, 31/248 ("data2": 182/183, 46/248).
    # As shipped by "data4": 183/183, 22/248; "data5": 183/183, 20/248.
    pytest.param(NINETEENTH, 183, 248, 183, 20, id="nineteenth"),
    # Likewise, less thirty such phrasings: 180/184, 47/241 (as shipped before, 179/184 and 66/241); "data3", less
    # five more: 178/182, 32/238 ("data2" on those: 178/182, 47/238). "data4": 178/182, 26/238; "data5" 178/182,
    # 29/238, so the bound is the "data3" score again.
    pytest.param(TWENTIETH, 182, 238, 178, 32, id="twentieth"),
    # First scores at cd2c400 by the "data2" model, less the phrasings equal to its training; trained on since
    # "data3", so these bounds are regression guards only.
    pytest.param(DATA3[0], 192, 250, 185, 41, id="twentyfirst"),
    pytest.param(DATA3[1], 190, 250, 187, 56, id="twentysecond"),
    pytest.param(DATA3[2], 191, 253, 188, 62, id="twentythird"),
    pytest.param(DATA3[3], 188, 248, 186, 37, id="twentyfourth"),
    pytest.param(DATA3[4], 181, 246, 179, 40, id="twentyfifth"),
    pytest.param(DATA3[5], 193, 256, 190, 47, id="twentysixth"),
    # First scores at cd2c400 (187/187, 42/248; 191/191, 53/254), then, less the phrasings equal to the
    # twenty-first to twenty-sixth sets' (11 and 2), scored once by the declared "data3" model at 199c9d3:
    # 184/184, 34/240 ("data2" on those: 183/184, 41/240) and 190/190, 39/253 ("data2": 190/190, 53/253).
    # As shipped by "data4": 184/184, 27/240 and 190/190, 29/253; by "data5": 184/184, 23/240 and 190/190, 21/253.
    pytest.param(TWENTYSEVENTH, 184, 240, 184, 23, id="twentyseventh"),
    pytest.param(TWENTYEIGHTH, 190, 253, 190, 21, id="twentyeighth"),
    # Scored once at f16aa42 by the "data3" screener as shipped; trained on since "data4": regression guards only.
    pytest.param(AFTER_DATA3[0], 178, 232, 176, 34, id="twentyninth"),
    pytest.param(AFTER_DATA3[1], 195, 242, 194, 42, id="thirtieth"),
    pytest.param(AFTER_DATA3[2], 188, 249, 184, 39, id="thirtyfirst"),
    pytest.param(AFTER_DATA3[3], 186, 236, 186, 33, id="thirtysecond"),
    # First scored at b30e1ff by the "data3" screener as shipped (beside "second look", which failed); trained on
    # since "data4": regression guards only.
    pytest.param(SETS_33_TO_40[0], 189, 242, 186, 29, id="thirtythird"),
    pytest.param(SETS_33_TO_40[1], 183, 243, 182, 48, id="thirtyfourth"),
    pytest.param(SETS_33_TO_40[2], 193, 246, 190, 34, id="thirtyfifth"),
    pytest.param(SETS_33_TO_40[3], 186, 244, 186, 49, id="thirtysixth"),
    pytest.param(SETS_33_TO_40[4], 184, 243, 183, 38, id="thirtyseventh"),
    pytest.param(SETS_33_TO_40[5], 188, 243, 186, 32, id="thirtyeighth"),
    pytest.param(SETS_33_TO_40[6], 183, 242, 181, 38, id="thirtyninth"),
    pytest.param(SETS_33_TO_40[7], 183, 240, 182, 59, id="fortieth"),
    # Scored once at 6b58c73 by the declared "data4" screener; trained on since "data5" (as shipped before it:
    # 180/181, 34/231; 188/194, 37/232; 192/194, 36/244; 174/174, 47/236; 184/188, 51/253; 193/195, 46/249;
    # 177/180, 16/240; 187/188, 42/241).
    pytest.param(SETS_41_TO_48[0], 181, 231, 180, 23, id="fortyfirst"),
    pytest.param(SETS_41_TO_48[1], 194, 232, 189, 26, id="fortysecond"),
    pytest.param(SETS_41_TO_48[2], 194, 244, 191, 27, id="fortythird"),
    pytest.param(SETS_41_TO_48[3], 174, 236, 174, 39, id="fortyfourth"),
    pytest.param(SETS_41_TO_48[4], 188, 253, 183, 36, id="fortyfifth"),
    pytest.param(SETS_41_TO_48[5], 195, 249, 192, 36, id="fortysixth"),
    pytest.param(SETS_41_TO_48[6], 180, 240, 177, 12, id="fortyseventh"),
    pytest.param(SETS_41_TO_48[7], 188, 241, 187, 35, id="fortyeighth"),
    # Scored once at 66806c8 by the declared "data5" screener (as shipped before it, "data4": 160/160, 27/233;
    # 171/174, 23/236; 172/172, 23/222; 181/181, 38/232; 181/183, 19/237; 183/187, 39/248; 174/176, 24/226;
    # 175/177, 31/235).
    pytest.param(SETS_57_TO_64[0], 160, 233, 160, 23, id="fiftyseventh"),
    pytest.param(SETS_57_TO_64[1], 174, 236, 171, 20, id="fiftyeighth"),
    pytest.param(SETS_57_TO_64[2], 172, 222, 171, 17, id="fiftyninth"),
    pytest.param(SETS_57_TO_64[3], 181, 232, 180, 30, id="sixtieth"),
    pytest.param(SETS_57_TO_64[4], 183, 237, 181, 17, id="sixtyfirst"),
    pytest.param(SETS_57_TO_64[5], 187, 248, 183, 29, id="sixtysecond"),
    pytest.param(SETS_57_TO_64[6], 176, 226, 174, 20, id="sixtythird"),
    pytest.param(SETS_57_TO_64[7], 177, 235, 176, 25, id="sixtyfourth"),
]


@pytest.mark.parametrize(("path", "disclosures", "benign", "caught", "false_alarms"), BLIND_SCORES)
def test_a_later_blind_set_scores_no_worse_than_its_one_blind_score(
    path: Path, disclosures: int, benign: int, caught: int, false_alarms: int
) -> None:
    from tests.safeguarding.evaluation import phrases_only

    items = load_items(path)
    both = evaluate(items)["all"]
    assert (both.disclosures, both.benign) == (disclosures, benign)
    assert both.caught >= caught, f"caught {both.caught}/{disclosures}"
    assert both.false_alarms <= false_alarms, f"false alarms {both.false_alarms}/{benign}"
    assert both.recall >= evaluate(items, phrases_only())["all"].recall


#: The held-out sets scored on their own: (name on the command line, the split whose misses it refuses,
#: the set's file, its generated table's begin and end markers in the docs): every set of the registry
#: held out as a whole.
HELD_OUT_SETS = [
    (s.name, "dev" if s.name == "unseen" else "held-out", s.path, *s.markers) for s in REGISTRY if not s.halves
]


@pytest.mark.parametrize(("name", "split", "path", "begin", "end"), HELD_OUT_SETS, ids=[s[0] for s in HELD_OUT_SETS])
def test_a_held_out_sets_misses_are_not_listed_for_tuning(
    name: str, split: str, path: Path, begin: str, end: str
) -> None:
    with pytest.raises(SystemExit):
        main(["--set", name, "--misses", split])


@pytest.mark.parametrize(("name", "split", "path", "begin", "end"), HELD_OUT_SETS, ids=[s[0] for s in HELD_OUT_SETS])
def test_docs_show_a_held_out_sets_current_table(name: str, split: str, path: Path, begin: str, end: str) -> None:
    text = DOCS.read_text(encoding="utf-8")
    assert begin in text
    assert end in text
    assert held_out_table(load_items(path)) in text, (
        "run: .venv/bin/python -m tests.safeguarding.evaluation --write-docs"
    )
