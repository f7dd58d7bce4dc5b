"""The conversation summaries the console lists: what each conversation of a fixed event set sums up to, the same in
any order and with repeats; the status as `GET /v1/conversations/{id}` shows it; pages without their query
string; the facts the service looks up (segment, repeat contact)."""

from __future__ import annotations

import random
from collections.abc import Iterable

import pytest
from insights_events import REPEAT_CONTACTS, SEGMENTS, Conv, at, cause, fixed_set

from baton.events import BusEvent
from baton.insights.facts import (
    InsightsState,
    intent_started,
    needs_account,
    page_path,
    summarize,
    with_event,
    with_repeat_contact,
    with_segment,
)
from baton.insights.models import Assignee, ConversationSummary


def fold(events: Iterable[BusEvent], state: InsightsState | None = None) -> InsightsState:
    state = state or InsightsState()
    for event in events:
        state = with_event(state, event)
    return state


def summary_of(cid: str, events: Iterable[BusEvent]) -> ConversationSummary:
    state = fold(events)
    state = with_repeat_contact(with_segment(state, SEGMENTS.get(cid)), cid in REPEAT_CONTACTS)
    return summarize(cid, state)


def summaries() -> dict[str, ConversationSummary]:
    return {cid: summary_of(cid, events) for cid, events in fixed_set().items()}


def test_each_conversation_of_the_fixed_set_sums_up_as_a_support_lead_reads_it() -> None:
    shown = {
        cid: (s.status, s.path, s.intent, s.product_area, s.escalation_kind, s.label, s.csat, s.max_risk)
        for cid, s in summaries().items()
    }
    assert shown == {
        "c1": ("resolved", "bot_only", "billing_question", "billing", None, "contained", 5, 0.12),
        "c2": (
            "resolved",
            "escalated",
            "cancel_subscription",
            "account",
            "customer_requested",
            "false_escalation",
            None,
            0.9,
        ),
        "c3": ("resolved", "escalated", "data_export", "data", "guardrail", "true_escalation", 1, 0.75),
        "c4": ("queued", "escalated", "billing_question", "billing", "model", "unknown", None, 0.82),
        "c5": ("resolved", "bot_only", "refund_request", "billing", None, "missed_escalation", 2, 0.3),
        "c6": ("resolved", "direct_to_agent", "billing_question", "billing", None, "unknown", 4, 0.2),
        "c7": ("open", "bot_only", "data_export", "data", None, "missed_escalation", None, 0.25),
        "c8": ("monitoring", "escalated", "cancel_subscription", "account", "guardrail", None, None, 0.95),
        "c9": ("resolved", "bot_only", "billing_question", "billing", None, "contained", 4, 0.1),
        "c10": ("monitoring", "bot_only", "login_problem", "auth", None, None, None, 0.6),
        "c11": ("resolved", "escalated", "refund_request", "billing", "model", "true_escalation", 3, 0.88),
    }


def test_a_guardrail_escalation_routed_through_the_queue_sums_up_in_full() -> None:
    # c3: the escalating decision is message 3's; the later decision (seq 5) says "Already escalated" but the
    # reason shown is the escalation's; the first assignment is the one from the queue.
    assert summaries()["c3"] == ConversationSummary(
        conversation_id="c3",
        customer_id="cus-3",
        account_id="acct-3",
        language="en",
        segment="enterprise",
        started_at=at(4, 14),
        last_activity_at=at(4, 15, 5),
        messages=5,
        status="resolved",
        intent="data_export",
        product_area="data",
        page="/settings/export",
        action="escalate",
        risk=0.6,
        max_risk=0.75,
        latest_reason="Data loss",
        escalated_at=at(4, 14, 2),
        escalation_decided_at=at(4, 14, 2, 1),
        escalation_seq=3,
        escalation_kind="guardrail",
        escalation_reasons=["data_loss", "sentiment_declining"],
        incidents=["INC-7"],
        queued_since=None,
        assigned_at=at(4, 14, 12, 5),
        assignee=Assignee(id="sam", name="Sam"),
        first_agent_reply_at=at(4, 14, 15),
        resolved_at=at(4, 15),
        resolved_by="agent",
        csat=1,
        reopened=0,
        repeat_contact=False,
        label="true_escalation",
        label_rule="true_escalation.not_false",
    )


def test_a_queued_escalation_shows_since_when_it_waits() -> None:
    c4 = summaries()["c4"]
    assert (c4.queued_since, c4.assignee, c4.latest_reason) == (at(5, 11, 3, 10), None, "Frustration rising")


@pytest.mark.parametrize("seed", range(12))
def test_any_order_and_repeated_events_give_the_same_summary(seed: int) -> None:
    rng = random.Random(seed)
    expected = summaries()
    for cid, events in fixed_set().items():
        replayed = events + rng.sample(events, k=len(events) // 2)  # a redelivery of half of them
        rng.shuffle(replayed)
        assert summary_of(cid, replayed) == expected[cid], cid
        assert fold(replayed) == fold(events), cid


def test_the_earliest_escalation_counts_whichever_decision_arrives_first() -> None:
    c = (
        Conv("c")
        .msg(1, "customer", at(4, 14))
        .msg(3, "customer", at(4, 14, 2))
        .msg(5, "customer", at(4, 14, 16))
    )
    c.decided(
        5,
        "escalate",
        0.6,
        at(4, 14, 16),
        "escalated_earlier",
        cause=cause(3, 0.75, "data_loss", guardrail="data_loss"),
    )
    later_first = fold(c.events)
    # Until the escalating decision comes, the escalation is known from the later one's cause, at its time.
    assert (summarize("c", later_first).escalated_at, summarize("c", later_first).escalation_seq) == (
        at(4, 14, 16),
        3,
    )
    c.decided(3, "escalate", 0.75, at(4, 14, 2), "data_loss", guardrail="data_loss")
    shown = summarize("c", fold(c.events[-1:], later_first))
    assert (shown.escalated_at, shown.escalation_seq, shown.escalation_kind) == (at(4, 14, 2), 3, "guardrail")
    assert (shown.action, shown.risk, shown.latest_reason) == ("escalate", 0.6, "Data loss")


def test_the_intent_is_the_lowest_seq_customer_message_s_whenever_it_is_scored() -> None:
    c = Conv("c").msg(2, "customer", at(1, 9, 1)).scored(2, "refund_request", "billing")
    c.scored(1, "chitchat", "social", out_of_scope=True).scored(3, "bot_reply", "billing", role="bot")
    state = fold(c.events)
    assert (summarize("c", state).intent, intent_started(state)) == (
        "refund_request",
        (("refund_request"), at(1, 9, 1)),
    )
    c.msg(1, "customer", at(1, 9)).scored(1, "login_problem", "auth")
    state = fold(c.events[-2:], state)
    shown = summarize("c", state)
    assert (shown.intent, shown.product_area, shown.started_at) == ("login_problem", "auth", at(1, 9))
    assert intent_started(state) == ("login_problem", at(1, 9))


def test_no_intent_or_start_yet_means_nothing_to_key_a_contact_on() -> None:
    assert intent_started(fold(Conv("c").scored(1, "refund_request", "billing").events)) is None
    assert intent_started(fold(Conv("c").msg(1, "customer", at(1, 9)).events)) is None


def test_the_segment_is_looked_up_once_per_account() -> None:
    state = fold(Conv("c", account="acct-9").msg(1, "customer", at(1, 9)).events)
    assert needs_account(InsightsState()) is None  # no message names the account yet
    assert needs_account(state) == "acct-9"
    looked_up = with_segment(state, None)  # an account without a segment is not looked up again
    assert (needs_account(looked_up), summarize("c", looked_up).segment) == (None, None)
    assert summarize("c", with_segment(state, "enterprise")).segment == "enterprise"


def test_a_repeat_contact_is_the_service_s_latest_answer() -> None:
    state = with_repeat_contact(InsightsState(), True)
    assert summarize("c", state).repeat_contact is True
    assert summarize("c", with_repeat_contact(state, False)).repeat_contact is False


# ------------------------------------------------------------------------------------------------ status


def status_after(build: Conv) -> str:
    return summarize(build.cid, fold(build.events)).status


def escalated_conv() -> Conv:
    c = Conv("s").msg(1, "customer", at(2, 9))
    return c.decided(1, "escalate", 0.9, at(2, 9), "human_requested", guardrail="human_requested")


def test_status_follows_the_latest_decision_until_routing_or_the_helpdesk_moves_it() -> None:
    assert status_after(Conv("s").msg(1, "customer", at(2, 9))) == "open"
    assert status_after(Conv("s").decided(1, "monitor", 0.5, at(2, 9))) == "monitoring"
    assert (
        status_after(Conv("s").decided(1, "monitor", 0.5, at(2, 9)).decided(2, "resolve", 0.1, at(2, 9, 1)))
        == "open"
    )
    assert status_after(escalated_conv()) == "escalated"
    assert status_after(escalated_conv().handoff(1, at(2, 9, 1))) == "queued"
    assert (
        status_after(escalated_conv().handoff(1, at(2, 9, 1)).handoff(1, at(2, 9, 5), agent="maya"))
        == "assigned"
    )


def test_a_hand_back_returns_the_conversation_to_the_bot_until_a_new_trigger() -> None:
    handed_back = escalated_conv().handoff(1, at(2, 9, 1), agent="maya").handed_back(at(2, 9, 10))
    assert status_after(handed_back) == "monitoring"
    shown = summarize("s", fold(handed_back.events))
    assert (shown.path, shown.assignee) == ("escalated", Assignee(id="maya", name="Maya"))  # who had it
    calm = handed_back.msg(2, "customer", at(2, 9, 20)).decided(2, "resolve", 0.2, at(2, 9, 20))
    assert status_after(calm) == "open"
    again = calm.decided(3, "escalate", 0.9, at(2, 9, 30), "data_loss", guardrail="data_loss").handoff(
        3, at(2, 9, 31), agent="sam"
    )
    assert status_after(again) == "assigned"
    assert summarize("s", fold(again.events)).escalated_at == at(2, 9)  # the first escalation counts


def test_a_helpdesk_status_wins_and_a_reopen_reopens() -> None:
    assigned = escalated_conv().handoff(1, at(2, 9, 1), agent="maya")
    assert status_after(assigned.outcome("resolved", at(2, 10), by="agent")) == "resolved"
    assert (
        status_after(assigned.outcome("rated", at(2, 10, 5), csat=4)) == "resolved"
    )  # a rating changes nothing
    # Reopened: routing queues the escalation again, since the reopen.
    reopened = assigned.outcome("reopened", at(2, 11))
    shown = summarize("s", fold(reopened.events))
    assert (shown.status, shown.queued_since, shown.reopened, shown.resolved_at) == (
        "queued",
        at(2, 11),
        1,
        None,
    )
    assert status_after(reopened.outcome("closed", at(2, 12))) == "closed"


def test_a_reopen_without_an_escalation_goes_back_to_the_latest_decision() -> None:
    c = (
        Conv("s")
        .decided(1, "monitor", 0.5, at(2, 9))
        .outcome("closed", at(2, 10))
        .outcome("reopened", at(2, 11))
    )
    assert status_after(c) == "monitoring"


def test_status_goes_by_event_time_not_arrival() -> None:
    events = (
        escalated_conv()
        .handoff(1, at(2, 9, 1), agent="maya")
        .outcome("resolved", at(2, 10), by="agent")
        .events
    )
    assert summarize("s", fold(reversed(events))).status == "resolved"


# ------------------------------------------------------------------------------------------------ page


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("https://app.example.com/billing/invoices?id=42#top", "/billing/invoices"),
        ("https://app.example.com/reset?token=s3cret&email=a%40b.c", "/reset"),
        ("/settings/export?x=1", "/settings/export"),
        ("https://app.example.com", "/"),
        ("https://app.example.com/a/b#section", "/a/b"),
    ],
)
def test_a_page_keeps_its_path_only(url: str, path: str) -> None:
    assert page_path(url) == path
    assert summarize("p", fold(Conv("p").msg(1, "customer", at(2, 9), url=url).events)).page == path


def test_the_first_page_counts_and_a_redaction_forgets_it() -> None:
    c = Conv("p").msg(2, "customer", at(2, 9, 1), url="/two").msg(1, "customer", at(2, 9), url="/one?q=1")
    assert summarize("p", fold(c.events)).page == "/one"
    assert summarize("p", fold(c.redacted(1, at(2, 10)).events)).page == "/two"
    assert summarize("p", fold(c.redacted(2, at(2, 10)).events)).page is None


def test_a_conversation_without_messages_has_no_start() -> None:
    shown = summarize("x", fold(Conv("x").decided(1, "monitor", 0.5, at(2, 9)).events))
    assert (shown.started_at, shown.messages, shown.status) == (None, 1, "monitoring")
    assert shown.last_activity_at == at(2, 9)
