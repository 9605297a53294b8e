"""The access sweep: every URL pattern of the web application (a walk of the resolver) and
every operation of the JSON API (its OpenAPI paths), requested with GET and with POST (a
plausible body full of the target's ids), and with PATCH where the API takes it, by every
role, with the ids of another municipality's objects and — for the authority roles, who must
never see them — of the own municipality's anonymous cases.

What every request must show: nothing of the target (no CPR, name, pseudonym or case
number in the answer), nothing changed (every row of the case, group, capacity, letter,
outcome and staff tables, and no audit entry by the actor), never a server error, and, for a
pattern that takes an id, an answer that cannot tell the target from an id that does not
exist: 404 (or the same role refusal, 403, or method refusal, 405, that a missing id gets).

A pattern the sweep cannot fill fails `test_every_pattern_is_swept_or_excluded`: add it to
`FILL` (or to `EXCLUDED`, with the reason).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from case_world import (
    END_KEY_FACTS,
    ENDPOINT_CALLS,
    NONEXISTENT_ID,
    START_KEY_FACTS,
    Bundle,
    Call,
    _columns,
    _version,
    build_world,
    world_clock,
)
from factories import staff
from rusmiddel.accounts.models import Role
from rusmiddel.api.api import api
from rusmiddel.audit.models import AuditEntry

ROLES = sorted(Role.values)
#: The roles that must never see an anonymous case (SEL § 101 a). Provider staff are also
#: swept with the own municipality's case referred to another provider.
AUTHORITY = {"caseworker", "head_of_unit", "administrator"}
MUNICIPALITIES = ["gentofte", "helsingoer"]
OTHER = {"gentofte": "helsingoer", "helsingoer": "gentofte"}
PROVIDER = {"gentofte": "kabs", "helsingoer": "helsingoer_rusmiddelcenter"}
#: The audit log of one case finds an anonymous case of the reader's own municipality, as the
#: whole log lists its entries (by id, never who it is: tests/api/test_anonymity.py), where an
#: id that does not exist is not found: no ghost to compare with for that target.
OWN_CASES_BY_ID = {"/api/audit"}


@dataclass
class Target:
    """What a URL is filled with: the ids of one case's rows, and what must not leak."""

    label: str
    ids: dict[str, Any]
    secrets: tuple[str, ...]
    bundle: Bundle  # for the API's valid request bodies (tests/case_world.py)


@dataclass
class SweepWorld:
    targets: dict[tuple[str, str], list[Target]]  # (actor's municipality, role) → targets
    actors: dict[tuple[str, str], Any]  # (municipality, role) → user


def _anonymous_case(municipality: str) -> Target:
    """An anonymous case at the municipality's own treatment side, with a course, a session
    and an ended course's follow-up."""
    import datetime as dt

    from rusmiddel.cases import services

    role = "therapist" if municipality == "helsingoer" else "substance_consultant"
    treater = staff(role, municipality)
    offer = "anonym_gruppe" if municipality == "helsingoer" else "raadgivning"
    pseudonym = f"Sweep-{municipality}-ugle"
    case = services.case_create(
        actor=treater,
        received_on=dt.date(2026, 11, 24),
        channel="walk_in",
        anonymous=True,
        pseudonym=pseudonym,
        requested_offer=offer,
    )

    def start():
        return services.course_start(
            actor=treater,
            case_id=case.pk,
            version=_version(case.pk),
            started_on=dt.date(2026, 12, 7),
            offer=offer,
            **START_KEY_FACTS,
        )

    course, ended = start(), start()
    follow_ups = services.course_end(
        actor=treater,
        course_id=ended.pk,
        version=_version(case.pk),
        ended_on=dt.date(2027, 1, 29),
        reason="completed",
        outcome="reduced",
        final_report="Gennemført",
        **END_KEY_FACTS,
    )
    session = services.session_record(
        actor=treater,
        course_id=course.pk,
        version=_version(case.pk),
        starts_at=dt.datetime.fromisoformat("2027-01-05T16:00:00+01:00"),
        ends_at=dt.datetime.fromisoformat("2027-01-05T18:00:00+01:00"),
    )
    ids = {
        "case_id": case.pk,
        "course_id": course.pk,
        "session_id": session.pk,
        # Gentofte follows up no anonymous course (it holds no identity to call)
        "follow_up_id": follow_ups[0].pk if follow_ups else NONEXISTENT_ID,
    }
    bundle = Bundle(
        municipality,
        "",
        "",
        pseudonym,
        number=case.number,
        decision_id=NONEXISTENT_ID,  # an anonymous case here has no decision
        change_decision_id=NONEXISTENT_ID,
        residential_course_id=course.pk,
        ended_course_id=ended.pk,
        complaint_id=NONEXISTENT_ID,
        group_id=NONEXISTENT_ID,
        capacity_id=NONEXISTENT_ID,
        letter_id=NONEXISTENT_ID,
        **ids,
    )
    return Target(f"anonymous case in {municipality}", ids, (pseudonym, case.number), bundle)


def _bundle_target(b: Bundle, label: str, user) -> Target:
    from rusmiddel.cases.models import Case
    from rusmiddel.web.citizen import receipt_token

    ids = {
        "case_id": b.case_id,
        "course_id": b.course_id,
        "session_id": b.session_id,
        "follow_up_id": b.follow_up_id,
        "complaint_id": b.complaint_id,
        "group_id": b.group_id,
        "letter_id": b.letter_id,
        "decision_id": b.change_decision_id,
        "user_id": user.pk,  # a member of staff of that municipality
        # the actor's own municipality: its public pages, and a receipt address there that
        # carries the other municipality's case
        "municipality": OTHER[b.municipality],
        "token": receipt_token(Case.objects.get(pk=b.case_id)),
        "capacity_id": b.capacity_id,
        "line": f"capacity:{b.capacity_id}",
        "citizen_id": b.citizen_id,
    }
    return Target(label, ids, b.secrets, b)


@pytest.fixture(scope="module")
def sweep(django_db_setup, django_db_blocker):
    with world_clock(), django_db_blocker.unblock(), transaction.atomic():
        world = build_world()
        actors = {
            (m, role): staff(role, m, PROVIDER[m] if role == "provider_staff" else None)
            for m in MUNICIPALITIES
            for role in ROLES
        }
        anonymous = {m: _anonymous_case(m) for m in MUNICIPALITIES}
        targets: dict[tuple[str, str], list[Target]] = {}
        for m in MUNICIPALITIES:
            other = OTHER[m]
            foreign = [
                _bundle_target(
                    b, f"{b.municipality} case at {b.provider}", actors[(other, "caseworker")]
                )
                for b in world.bundles.values()
                if b.municipality == other
            ]
            # provider staff: also the own municipality's case referred to another provider
            unreferred = _bundle_target(
                world.unreferred(m), f"{m} case not referred to them", actors[(m, "caseworker")]
            )
            # its receipt address is the citizen's own (valid a day): not this sweep's business
            del unreferred.ids["token"]
            unreferred.ids["municipality"] = m
            for role in ROLES:
                targets[(m, role)] = (
                    foreign
                    + ([anonymous[m]] if role in AUTHORITY else [])
                    + ([unreferred] if role == "provider_staff" else [])
                )
        yield SweepWorld(targets, actors)
        transaction.set_rollback(True)


# --- the patterns -----------------------------------------------------------------------------


def _walk(patterns, prefix: str = "", namespace: str = "") -> list[tuple[str, str]]:
    found = []
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or namespace
            found += _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            found.append((f"{namespace}:{p.name}", prefix + str(p.pattern)))
    return found


def url_patterns() -> dict[str, str]:
    """Every named pattern outside the API (the API is swept through its OpenAPI paths)."""
    return {
        name: route
        for name, route in _walk(get_resolver().url_patterns)
        if not name.startswith("api:")
    }


def api_paths() -> dict[str, str]:
    paths = api.get_openapi_schema(path_prefix="/api")["paths"]
    return {f"api {path}": path for path in paths}


#: Patterns not swept, with the reason.
EXCLUDED = {
    ":set_language": "Django's language switch: a cookie, no data of anyone",
    ":logout": "ends the requester's own session",
    "api:openapi-json": "the API's description, the same for everyone",
    "api:openapi-view": "the API's documentation page",
    "api:api-root": "the API's root: no operation",
}
#: Placeholders the sweep knows how to fill (the converter's kwarg names).
FILLABLE = {
    "case_id",
    "course_id",
    "session_id",
    "follow_up_id",
    "complaint_id",
    "group_id",
    "letter_id",
    "capacity_id",
    "user_id",
    "municipality",
    "token",
    "citizen_id",
    "decision_id",
}
PLACEHOLDER = re.compile(r"<(?:\w+:)?(\w+)>|\{(\w+)\}")


def _placeholders(route: str) -> list[str]:
    return [a or b for a, b in PLACEHOLDER.findall(route)]


def _fill(route: str, ids: dict[str, Any]) -> str | None:
    """The route with each placeholder replaced by the target's id; None if it lacks one."""
    if any(name not in ids for name in _placeholders(route)):
        return None
    url = PLACEHOLDER.sub(lambda m: str(ids[m.group(1) or m.group(2)]), route)
    return url if url.startswith("/") else "/" + url


def _all_patterns() -> dict[str, str]:
    return {**url_patterns(), **api_paths()}


def test_every_pattern_is_swept_or_excluded():
    routes = _all_patterns()
    unfillable = {
        name: route
        for name, route in routes.items()
        if name not in EXCLUDED and set(_placeholders(route)) - FILLABLE
    }
    assert not unfillable, f"the sweep cannot fill {unfillable}: teach FILLABLE/_bundle_target"
    api_names = {name for name, _ in _walk(get_resolver().url_patterns) if name.startswith("api:")}
    assert api_names - set(EXCLUDED) - {f"api:{n}" for n in _api_operation_names()} == set()
    assert set(EXCLUDED) - set(routes) - api_names == set(), "stale exclusions"


def _api_operation_names() -> set[str]:
    return {
        op.view_func.__name__
        for _prefix, router in api._routers
        for view in router.path_operations.values()
        for op in view.operations
    }


# --- what a request changed -------------------------------------------------------------------


def snapshot() -> dict[str, Any]:
    """Every row of the tables a request could change (staff and tokens included)."""
    from rusmiddel.accounts.models import Municipality, Provider, StaffProfile

    models = [Municipality, Provider, StaffProfile, get_user_model()]
    for label in ("cases", "treatment_groups", "capacity", "letters", "outcomes"):
        models += list(apps.get_app_config(label).get_models())
    state = {
        m._meta.label: list(m.objects.order_by("pk").values_list(*_columns(m))) for m in models
    }
    # the last login changes with every force_login: not the request's doing
    user_label = get_user_model()._meta.label
    last_login = _columns(get_user_model()).index("last_login")
    state[user_label] = [row[:last_login] + row[last_login + 1 :] for row in state[user_label]]
    return state


def _body(target: Target, ids: dict[str, Any], api_call: Call | None) -> dict[str, Any]:
    """A plausible body. The API: the valid request of tests/case_world.py against the target
    (so only the id can refuse it). A form: every id of the target, the case version, dates."""
    version = _version(target.bundle.case_id)
    if api_call is not None:
        body = api_call.body(target.bundle, version) if api_call.body else {}
        if api_call.where == "body":
            body = {**body, f"related_{api_call.ident}_id": ids[f"{api_call.ident}_id"]}
        return body
    return {
        **{k: v for k, v in ids.items() if k.endswith("_id") or k == "line"},
        "version": version,
        "received_on": "2026-12-01",
        "channel": "phone",
        "decided_on": "2026-12-02",
        "started_on": "2026-12-08",
        "starts_on": "2027-01-11",
        "offer": "ambulant",
        "outcome": "granted",
        "text": "Sweep",
        "active": "0",
        "attendance": "attended",
        **START_KEY_FACTS,
    }


def _text(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("latin-1")


def _send(client: Client, method: str, url: str, target: Target, ids: dict, call: Call | None):
    """One request: the target's ids in the path (already in `url`), body or query."""
    if method == "GET":
        params = call.query(target.bundle) if call is not None and call.query else {}
        if call is not None and call.where == "query":
            params[f"{call.ident}_id"] = ids[f"{call.ident}_id"]
        return client.get(url, params)
    body = _body(target, ids, call)
    if call is not None or url.startswith("/api/"):
        return client.generic(method, url, json.dumps(body), content_type="application/json")
    return client.post(url, body)


def _other_methods(route: str) -> tuple[str, ...]:
    """The API's methods of the route beyond GET and POST (a PATCH), each swept too."""
    path = route.removeprefix("/api")
    return tuple(m for m, p in ENDPOINT_CALLS if p == path and m not in ("GET", "POST"))


def _cells():
    for name in sorted(_all_patterns()):
        if name in EXCLUDED:
            continue
        for role in ROLES:
            yield pytest.param(name, role, id=f"{role}-{name}")


#: (pattern, role, status) → how many requests answered so (the figures the report gives).
TRIED: dict[str, int] = {}


@pytest.mark.parametrize(("name", "role"), list(_cells()))
def test_nothing_of_another_municipality_or_an_anonymous_case_leaks(sweep, name, role, db):
    route = _all_patterns()[name]
    placeholders = _placeholders(route)
    first_entry = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    before = snapshot()
    problems = []
    for municipality in MUNICIPALITIES:
        client = Client()
        client.force_login(sweep.actors[(municipality, role)])
        for target in sweep.targets[(municipality, role)]:
            url = _fill(route, target.ids)
            if url is None:  # an anonymous case has no group, letter or user of its own
                continue
            for method in ("GET", "POST", *_other_methods(route)):
                call = ENDPOINT_CALLS.get((method, route.removeprefix("/api")))
                if route == "/api/auth/token":
                    call = None  # its body is a login, not ids
                response = _send(client, method, url, target, target.ids, call)
                status, text = response.status_code, _text(response)
                TRIED[f"{method} {status}"] = TRIED.get(f"{method} {status}", 0) + 1
                where = f"{role} of {municipality}, {method} {url} ({target.label})"
                if status >= 500:
                    problems.append(f"{where}: server error {status}")
                leaked = [s for s in target.secrets if s and s in text]
                if leaked:
                    problems.append(f"{where}: answered {status} showing {leaked}")
                if "token" in placeholders and status != (404 if method == "GET" else 405):
                    problems.append(f"{where}: a receipt of another municipality answered {status}")
                by_id = placeholders and "municipality" not in placeholders
                own = route in OWN_CASES_BY_ID and target.bundle.municipality == municipality
                if not own and (by_id or (call is not None and call.where in ("body", "query"))):
                    ghost_ids = {
                        k: (NONEXISTENT_ID if k.endswith("_id") else v)
                        for k, v in target.ids.items()
                    }
                    ghost = _send(client, method, _fill(route, ghost_ids), target, ghost_ids, call)
                    if status != ghost.status_code or (by_id and status not in (403, 404, 405)):
                        problems.append(
                            f"{where}: answered {status}, an id that does not exist "
                            f"{ghost.status_code}"
                        )
    assert not problems, "\n".join(problems)
    actors = [sweep.actors[(m, role)].pk for m in MUNICIPALITIES]
    logged = AuditEntry.objects.filter(pk__gt=first_entry, actor_id__in=actors)
    after = snapshot()
    changed = [k for k in before if before[k] != after[k]]
    assert not changed, f"the requests changed {changed}"
    if placeholders:  # an id-less page may log the own municipality's list it shows
        assert not logged.exists(), list(logged.values_list("event", flat=True))


def test_the_control_an_own_case_is_seen(sweep, db):
    """The checks above can fail: the same kind of request for a case of the own municipality
    answers 200 and shows the person."""
    from case_world import REFERRED

    therapist = sweep.actors[("helsingoer", "therapist")]
    [own] = [
        t
        for t in sweep.targets[("gentofte", "therapist")]
        if t.bundle.provider == REFERRED["helsingoer"]
    ]
    client = Client()
    client.force_login(therapist)
    for route in ("sager/<int:case_id>/", "/api/cases/{case_id}"):
        response = client.get(_fill(route, own.ids))
        assert response.status_code == 200
        assert own.bundle.name in _text(response)


def test_the_sweep_sent_requests():
    """The figures (runs after the sweep above): how many requests, and how they answered."""
    if not TRIED:
        pytest.skip("run together with the sweep above")
    print(f"access sweep: {sum(TRIED.values())} requests: {dict(sorted(TRIED.items()))}")
    assert sum(n for k, n in TRIED.items() if k.split()[1] in ("403", "404", "405")) > 0
