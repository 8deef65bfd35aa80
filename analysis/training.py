"""Training facts: one row per delegate with what their evaluation and follow-up said.

The loader hands over plain frames (courses, sessions, delegates, follow-up invitations) and each
survey's answers; every figure in the report is then a count over these facts, so a course, a
session, a period or a sector is only a different subset of the same rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from analysis import measures
from analysis.lazy import LazyModule
from analysis.periods import financial_year, quarter
from forms import Survey

if TYPE_CHECKING:
    import pandas as pd
    from pandas.api.extensions import ExtensionArray
else:
    # Why lazy: pandas costs a web worker about 33 MiB; it loads when a report first uses it.
    pd = LazyModule("pandas")

#: The column of a survey frame holding each response's respondent key (the delegate's pseudonym).
RESPONDENT_COLUMN = "_respondent"
#: The column of a survey frame holding when each response was stored.
SUBMITTED_COLUMN = "_submitted_at"

COURSE_COLUMNS = ["course_id", "course", "evaluation_survey", "follow_up_survey"]
SESSION_COLUMNS = ["session_id", "course_id", "date", "mode"]
DELEGATE_COLUMNS = ["delegate_id", "session_id", "sector", "organisation", "attended", "pseudonym"]
#: Follow-up invitations: one row per delegate with one, `sent` when its email has gone.
INVITATION_COLUMNS = ["delegate_id", "sent"]


@dataclass(frozen=True)
class SurveyAnswers:
    """A survey's responses (one row each, with RESPONDENT_COLUMN) and the definition of each version."""

    frame: pd.DataFrame
    versions: Mapping[str, Survey]


@dataclass(frozen=True)
class TrainingData:
    """Everything the training report reads, as plain frames."""

    courses: pd.DataFrame
    sessions: pd.DataFrame
    delegates: pd.DataFrame
    follow_up_invitations: pd.DataFrame
    #: Answers by survey slug: each course's evaluation and follow-up surveys.
    surveys: Mapping[str, SurveyAnswers]


@dataclass(frozen=True)
class ElementSpec:
    """A rated course element as the newest definition words it."""

    label: str
    options: tuple[tuple[str, str], ...]
    good: tuple[str, ...]


@dataclass(frozen=True)
class Facts:
    """Sessions, delegate facts and element ratings, ready to count."""

    #: SESSION_COLUMNS plus course, financial_year and quarter.
    sessions: pd.DataFrame
    #: One row per delegate: their session's columns, and what their answers said (see DELEGATE_FACTS).
    delegates: pd.DataFrame
    #: One row per element rating: delegate_id, element, rating, good.
    ratings: pd.DataFrame
    #: Elements by id, in the order the newest definitions list them (of the evaluation surveys in `sessions`).
    elements: dict[str, ElementSpec] = field(default_factory=dict)
    #: Each evaluation survey's own elements, by slug: a subset's `elements` are made from its surveys' only.
    by_survey: dict[str, dict[str, ElementSpec]] = field(default_factory=dict)

    def where_sessions(self, mask: pd.Series) -> Facts:
        """The facts of the sessions `mask` selects (a boolean series over `sessions`)."""
        sessions = self.sessions[mask]
        delegates = self.delegates[self.delegates["session_id"].isin(sessions["session_id"])]
        return self._with(sessions, delegates)

    def where_delegates(self, mask: pd.Series) -> Facts:
        """The facts of the delegates `mask` selects, and only the sessions they were on."""
        delegates = self.delegates[mask]
        sessions = self.sessions[self.sessions["session_id"].isin(delegates["session_id"])]
        return self._with(sessions, delegates)

    def _with(self, sessions: pd.DataFrame, delegates: pd.DataFrame) -> Facts:
        ratings = self.ratings[self.ratings["delegate_id"].isin(delegates["delegate_id"])]
        slugs = sorted(set(sessions["evaluation_survey"].dropna()))
        return Facts(sessions, delegates, ratings, merged_elements(self.by_survey, slugs), self.by_survey)


def merged_elements(by_survey: Mapping[str, Mapping[str, ElementSpec]], slugs: Sequence[str]) -> dict[str, ElementSpec]:
    """The elements of these surveys; an id two surveys rate keeps the first's label and every survey's options.

    Why per survey: a course with its own form may rate "quality" on another scale (very poor ... excellent);
    counted against another course's options, its answers vanished from its table.
    """
    merged: dict[str, ElementSpec] = {}
    for slug in slugs:
        for key, spec in by_survey.get(slug, {}).items():
            known = merged.get(key)
            if known is None:
                merged[key] = spec
                continue
            values = {value for value, _ in known.options}
            options = known.options + tuple(o for o in spec.options if o[0] not in values)
            good = known.good + tuple(g for g in spec.good if g not in known.good)
            merged[key] = ElementSpec(known.label, options, good)
    return merged


def _as_text(values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Values as str objects; values that already are (keys and codes from a database) are not copied."""
    if pd.api.types.infer_dtype(values, skipna=False) == "string":
        return values
    return np.array([str(v) for v in values], dtype=object)


@dataclass(frozen=True)
class _Answered:
    """One survey's first response per respondent key: the keys, what each said, each element's ratings."""

    slug: str
    #: Respondent keys as text, unique, in the order of the values below.
    keys: pd.Index
    #: Per fact, one value per key (extension arrays: a take marks the unmatched as missing).
    columns: dict[str, ExtensionArray]
    #: Rated course elements (evaluations only): id, each key's rating (NA if none), whether it is good.
    ratings: list[tuple[str, pd.Series, pd.Series]] = field(default_factory=list)


def _first_rows(answers: SurveyAnswers) -> tuple[pd.DataFrame, pd.Index]:
    """The first response of each respondent key (a repeat never counts twice), and the keys as text."""
    frame = answers.frame
    present = frame[RESPONDENT_COLUMN].notna()
    keyed = frame if bool(present.all()) else frame[present]
    keys = pd.Index(_as_text(keyed[RESPONDENT_COLUMN].to_numpy(dtype=object)), dtype=object)
    if keys.is_unique:
        # Why no sort: with one response per key the first is the only one (and the index built to
        # tell is the one the delegates' keys are then looked up in).
        return keyed, keys
    if SUBMITTED_COLUMN in keyed:
        # Why positions of a sorted copy: sort_values puts a missing time last, as the first-come rule needs.
        order = keyed[SUBMITTED_COLUMN].reset_index(drop=True).sort_values(kind="stable").index.to_numpy()
        keyed, keys = keyed.iloc[order], keys[order]
    first = ~keys.duplicated()
    return keyed[first], keys[first]


def _evaluations(slug: str, answers: SurveyAnswers) -> tuple[_Answered, dict[str, ElementSpec]]:
    """Per respondent: intention, confidence before, and each course element's rating."""
    frame, keys = _first_rows(answers)
    versions = answers.versions
    columns = {
        "intends": measures.favourable(frame, versions, "change_intent").array,
        "confidence_before": measures.ordinals(frame, versions, "confidence_before").array,
    }
    specs: dict[str, ElementSpec] = {}
    ratings = []
    for element in measures.elements(frame, versions):
        specs[element.id] = ElementSpec(element.label, element.options, element.good)
        ratings.append((element.id, element.ratings, element.rated_good))
    return _Answered(slug, keys, columns, ratings), specs


def _follow_ups(slug: str, answers: SurveyAnswers) -> _Answered:
    """Per respondent: changed practice, a concrete example, confidence recalled and six months on."""
    frame, keys = _first_rows(answers)
    versions = answers.versions
    columns = {
        "changed": measures.favourable(frame, versions, "changed_practice").array,
        "example": measures.has_text(frame, versions, "practice_example").astype("boolean").array,
        "confidence_recalled": measures.ordinals(frame, versions, "confidence_before").array,
        "confidence_now": measures.ordinals(frame, versions, "confidence_after").array,
    }
    return _Answered(slug, keys, columns)


def _matches(
    pseudonyms: np.ndarray[Any, Any], surveys: np.ndarray[Any, Any], found: list[_Answered]
) -> np.ndarray[Any, Any]:
    """For each delegate, the row answered under their key in their own course's survey (-1 for none).

    Rows are numbered across `found` in order. Why a look-up rather than a merge on key and survey:
    each survey's keys are unique, and looking 100,000 keys up in an index costs a fraction of the merge.
    """
    at = np.full(len(pseudonyms), -1, dtype=np.int64)
    offset = 0
    for answered in found:
        mine = np.flatnonzero(surveys == answered.slug)
        if len(mine):
            rows = answered.keys.get_indexer(pd.Index(pseudonyms[mine], dtype=object))
            at[mine] = np.where(rows >= 0, rows + offset, -1)
        offset += len(answered.keys)
    return at


def _taken(found: list[_Answered], name: str, at: np.ndarray[Any, Any], dtype: Any) -> ExtensionArray:
    """Fact `name` of every survey in `found`, one value per delegate by `at` (missing where -1)."""
    if not found:
        missing: ExtensionArray = pd.Series(pd.NA, index=range(len(at)), dtype=dtype).array
        return missing
    column: ExtensionArray = pd.concat(
        [pd.Series(a.columns[name], dtype=dtype) for a in found], ignore_index=True
    ).array
    return column.take(at, allow_fill=True)


def _with_sessions(delegates: pd.DataFrame, sessions: pd.DataFrame) -> pd.DataFrame:
    """Each delegate with their session's columns, in delegate order; delegates of other sessions left out."""
    index = pd.Index(sessions["session_id"].to_numpy(dtype=object), dtype=object)
    if not index.is_unique:
        return delegates.merge(sessions, on="session_id", how="inner")
    at = index.get_indexer(pd.Index(delegates["session_id"].to_numpy(dtype=object), dtype=object))
    kept = at >= 0
    mine = (delegates if kept.all() else delegates[kept]).reset_index(drop=True)
    theirs = sessions.drop(columns=["session_id"]).take(at[kept]).reset_index(drop=True)
    joined: pd.DataFrame = pd.concat([mine, theirs], axis=1)
    return joined


def _sent(delegate_ids: np.ndarray[Any, Any], invitations: pd.DataFrame) -> np.ndarray[Any, Any]:
    """Whether each delegate's follow-up invitation has gone (False with none)."""
    sent = pd.Series(invitations["sent"].to_numpy(dtype=object)).astype("boolean").fillna(False).to_numpy(dtype=bool)
    ids = pd.Index(invitations["delegate_id"].to_numpy(dtype=object), dtype=object)
    if not ids.is_unique:
        # Why: a delegate has one follow-up invitation; were there more, any one sent counts.
        grouped = pd.Series(sent).groupby(ids.to_numpy(), sort=False).any()
        ids, sent = pd.Index(grouped.index.to_numpy(dtype=object), dtype=object), grouped.to_numpy(dtype=bool)
    at = ids.get_indexer(delegate_ids)
    flags = np.zeros(len(delegate_ids), dtype=bool)
    flags[at >= 0] = sent[at[at >= 0]]
    return flags


def _rated(ratings: pd.Series, local: np.ndarray[Any, Any]) -> tuple[np.ndarray[Any, Any], list[str]]:
    """The ratings at positions `local` as codes (-1 when not rated) into the names returned."""
    if isinstance(ratings.dtype, pd.CategoricalDtype):
        # Why: a column read as categories is counted by its codes, with no pass over the text.
        return ratings.cat.codes.to_numpy()[local], [str(c) for c in ratings.cat.categories]
    codes, names = pd.factorize(ratings.to_numpy(dtype=object)[local])
    return codes, [str(n) for n in names]


def _ratings(
    delegate_ids: np.ndarray[Any, Any], evaluations: list[_Answered], at: np.ndarray[Any, Any]
) -> pd.DataFrame:
    """One row per element rating in a delegate's evaluation: delegate_id, element, rating, good."""
    pieces = []
    offset = 0
    for answered in evaluations:
        rows = np.flatnonzero((at >= offset) & (at < offset + len(answered.keys)))
        local = at[rows] - offset
        for element, ratings, rated_good in answered.ratings:
            codes, names = _rated(ratings, local)
            present = codes >= 0
            good = rated_good.to_numpy(dtype=bool, na_value=False)[local][present]
            pieces.append((rows[present], element, codes[present], names, good))
        offset += len(answered.keys)
    pieces = [piece for piece in pieces if len(piece[0])]
    if not pieces:
        return _empty_ratings()
    # Why the categories are the values rated, sorted: as a categorical made from the values would have them.
    rating_names = sorted({names[c] for _, _, codes, names, _ in pieces for c in np.unique(codes)})
    element_names = sorted({element for _, element, _, _, _ in pieces})
    rating_index = pd.Index(rating_names, dtype=object)
    rating_codes, element_codes, good_flags = [], [], []
    for rows, element, codes, names, good in pieces:
        recoded = rating_index.get_indexer(names)
        rating_codes.append(recoded[codes])
        element_codes.append(np.full(len(rows), element_names.index(element), dtype=np.int8))
        good_flags.append(good)
    positions = np.concatenate([rows for rows, *_ in pieces])
    ids = pd.Index(delegate_ids, dtype=object)
    if ids.is_unique:
        delegate = pd.Categorical.from_codes(positions, dtype=pd.CategoricalDtype(ids))
    else:
        delegate = pd.Categorical(delegate_ids[positions])
    return pd.DataFrame(
        {
            "delegate_id": delegate,
            "element": pd.Categorical.from_codes(
                np.concatenate(element_codes), dtype=pd.CategoricalDtype(element_names)
            ),
            "rating": pd.Categorical.from_codes(np.concatenate(rating_codes), dtype=pd.CategoricalDtype(rating_index)),
            "good": np.concatenate(good_flags),
        }
    )


def _empty_ratings() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in ["delegate_id", "element", "rating"]})
    return frame.assign(good=pd.Series(dtype=bool)).astype(
        {c: "category" for c in ["delegate_id", "element", "rating"]}
    )


def build_facts(data: TrainingData) -> Facts:
    """Join delegates to their sessions, courses, evaluations and follow-ups (by pseudonym and survey)."""
    sessions = data.sessions[SESSION_COLUMNS].merge(data.courses[COURSE_COLUMNS], on="course_id", how="left")
    days = pd.to_datetime(sessions["date"])
    sessions = sessions.assign(
        financial_year=[financial_year(d.date()) for d in days],
        quarter=[quarter(d.date()) for d in days],
    )
    delegates = _with_sessions(data.delegates[DELEGATE_COLUMNS], sessions)
    by_survey: dict[str, dict[str, ElementSpec]] = {}
    evaluations = []
    for slug in sorted(set(sessions["evaluation_survey"].dropna())):
        if slug in data.surveys:
            answered, by_survey[slug] = _evaluations(slug, data.surveys[slug])
            evaluations.append(answered)
    follow_ups = [
        _follow_ups(slug, data.surveys[slug])
        for slug in sorted(set(sessions["follow_up_survey"].dropna()))
        if slug in data.surveys
    ]
    pseudonyms = delegates["pseudonym"].to_numpy(dtype=object)
    # Why match on the survey too: a delegate's key answers only their own course's surveys.
    evaluated = _matches(pseudonyms, delegates["evaluation_survey"].to_numpy(dtype=object), evaluations)
    followed = _matches(pseudonyms, delegates["follow_up_survey"].to_numpy(dtype=object), follow_ups)
    delegate_ids = delegates["delegate_id"].to_numpy(dtype=object)
    facts = delegates.drop(columns=["pseudonym"]).assign(
        attended=delegates["attended"].astype(bool),
        evaluated=evaluated >= 0,
        intends=_taken(evaluations, "intends", evaluated, "boolean"),
        confidence_before=_taken(evaluations, "confidence_before", evaluated, "Float64"),
        followed_up=followed >= 0,
        changed=_taken(follow_ups, "changed", followed, "boolean"),
        example=_taken(follow_ups, "example", followed, "boolean").fillna(False).to_numpy(dtype=bool),
        confidence_recalled=_taken(follow_ups, "confidence_recalled", followed, "Float64"),
        confidence_now=_taken(follow_ups, "confidence_now", followed, "Float64"),
        follow_up_sent=_sent(delegate_ids, data.follow_up_invitations[INVITATION_COLUMNS]),
    )
    ratings = _ratings(delegate_ids, evaluations, evaluated)
    return Facts(sessions, facts, ratings, merged_elements(by_survey, sorted(by_survey)), by_survey)
