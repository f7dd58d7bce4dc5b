"""Asking for someone to act (`guardrails.someone`): a request for a person.

Customers who never say "human" still ask for one: "Could someone look at it?", "Who can correct it before then?",
"We need someone at the station today." After the bot's answer that is what they are asking for. As a first message
it may be a question the bot answers ("Can someone confirm whether my booking includes breakfast?"), or a case only a
person can handle ("Could someone look at the pump log? I was charged for 180 gallons, my tank holds 120."): then it
counts when the handover model reads it so (`guardrails.someone_first`)."""

from __future__ import annotations

import pytest
from test_bot_failing import Conversation

from baton.decision.params import load_default


@pytest.mark.parametrize(
    "text",
    [
        "The console shows the node as degraded. Could someone look at it?",
        "Signing is tomorrow at 9. Who can correct it before then?",
        "can somebody actually check the warehouse?",
        "We need someone at the depot today, the pallets are blocking the ramp.",
        "I have the letter from the bank. Who can I send it to?",
        "Is there someone who can check on it before Saturday?",
        "Could someone from your billing team call me back?",
        "I did select express. I'd be grateful if someone could check on it.",
        "Can somebody who can see the actual calendar tell me if my dog has an appointment?",
        "if I miss it the next slot is 7 weeks away. Is there another car or instructor who could take me?",
        "Ten days is no use to me. Can someone reissue it today?",
        "I'm not asking about liability. Who can pull the CCTV?",
        "I am not paying for three hours I was not given. Who can actually fix this invoice?",
        "I know where the stopcock is. the light is still dripping. is anyone coming or not",
        "I need an analyst from your side looking at the connector, not a guide.",
        "can a technician look at the line or not",
        "We're on Enterprise. Is there someone on your team who knows SAML?",
        "It is. We need a corrected invoice and the VAT refunded. I assume that needs a person?",
        "Then find someone who can.",
        "I have the hospital letter. Please, someone must be able to make an exception.",
        "The void button is greyed out. Can someone assist urgently please?",
        "Could someone from your payments team reverse the second batch?",
        "Could somebody get back to me before 2pm?",
        "It's costing us every day it sits there. I'd really appreciate someone looking into it today.",
        "We'd be grateful for someone to call us before the cut-off.",
        "Two ties have pulled out of the wall. We need someone out today.",
    ],
)
def test_after_the_bots_answer_asking_for_someone_to_act_escalates(text: str) -> None:
    c = Conversation()
    c.customer("Our order 5521 was supposed to be delivered on Monday.")
    c.bot("Deliveries usually take 3-5 business days. You can track your order under My orders.")
    decision = c.customer(text)
    assert (decision.action, decision.guardrail) == ("escalate", "human_requested")
    assert decision.reasons[0].evidence.startswith("asked for someone after the bot's answer")


def test_before_any_answer_it_is_a_question_for_the_bot_unless_the_handover_model_reads_a_case() -> None:
    breakfast = "Can someone confirm whether my booking includes breakfast?"
    assert Conversation().customer(breakfast, needs_person=0.06).action == "resolve"
    pump = "I was charged $1,184 for 180 gallons, my tank holds 120. Could someone look at the pump log?"
    assert Conversation().customer(pump, needs_person=0.5).action == "resolve"  # under `someone_first`
    first = Conversation().customer(pump, needs_person=0.7)
    assert (first.action, first.guardrail) == ("escalate", "human_requested")
    assert first.reasons[0].evidence == 'asked for someone: "could someone look"'
    # Off: never before the bot's answer, whatever the model reads; after it, as before.
    guardrails = load_default().guardrails.model_dump()
    from decision_params import risk_is_frustration

    off = Conversation(risk_is_frustration(guardrails={**guardrails, "someone_first": None}))
    assert off.customer(pump, needs_person=0.99).guardrail != "human_requested"


def test_the_shipped_first_message_bar_is_the_documented_one() -> None:
    from baton.decision.params import DEFAULT_SOMEONE_FIRST

    assert load_default().guardrails.someone_first == DEFAULT_SOMEONE_FIRST


@pytest.mark.parametrize(
    "text",
    [
        "I don't need someone to call me, an email is fine.",
        "Can someone else on my team see this invoice?",
        "Thanks, I'll ask someone in our finance team to check it.",
        "Who can see the reports, only admins?",
        "Who can edit the invoice settings in our workspace?",
        "We need an engineer to install it, can I book one for Friday?",
        "Is anyone coming to the webinar from your team? Just curious.",
        "Is there another way that could work, like a CSV upload?",
        "I really appreciate someone taking the time to explain it, thanks!",
    ],
)
def test_other_mentions_of_someone_are_no_request(text: str) -> None:
    c = Conversation()
    c.customer("How do I share the invoice?")
    c.bot("Invoices can be downloaded under Billing > Invoices.")
    assert c.customer(text).action == "resolve"


def test_a_team_turns_it_off_with_human_requests_or_on_its_own() -> None:
    guardrails = load_default().guardrails.model_dump()
    from decision_params import risk_is_frustration

    for off in ({**guardrails, "someone": []}, {**guardrails, "human_request": False}):
        c = Conversation(risk_is_frustration(guardrails=off))
        c.customer("Our order 5521 was supposed to be delivered on Monday.")
        c.bot("Deliveries usually take 3-5 business days.")
        assert c.customer("Could someone look at it?").action == "resolve"


def test_the_models_request_for_a_person_is_vetoed_by_a_person_only_mentioned() -> None:
    """The trigger model reads "call an electrician" as a request for a person (0.97); scoring's exclusions say it
    asks for no one, and the decision reads it the same way. A real request the model reads still escalates."""
    params = load_default()
    c = Conversation(params)
    c.customer("The thermostat shows E4.")
    c.bot("E4 means it is not getting enough power. Connect the blue wire to C.")
    thanks = c.customer(
        "Honestly thought I'd have to call an electrician. thanks a lot",
        sentiment=0.89,
        triggers={"human_request": 0.97},
    )
    assert (thanks.action, thanks.guardrail) == ("resolve", None)
    asks = c.customer("HUMAN. PLEASE.", triggers={"human_request": 0.97})
    assert (asks.action, asks.guardrail) == ("escalate", "human_requested")
