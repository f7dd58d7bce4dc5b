"""The `bot_failing` guardrail: a bot whose answers keep failing hands over to a person, whatever the risk.

The fitted risk cannot see a bot going round in circles (the chats it was fitted on had no bot: the weights of
rephrasings and failed answers came out near 0), so a calm customer rephrasing one simple question four times
was left with the bot. These tests fold real arcs (`baton.scoring.arc`) and decide with calm frustration, so
that nothing but the failed answers can escalate."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from decision_params import risk_is_frustration

from baton.context.models import Context
from baton.decision.engine import DecisionState, decide, handed_back
from baton.decision.params import DecisionParams, load_default
from baton.events import Scores
from baton.models import BotInfo
from baton.scoring.arc import ArcState, Recent, advance, encode_minhash, minhash
from baton.scoring.fakes import snapshot

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


class Conversation:
    """A conversation folded into its arc and decided at every customer message, as the functions do."""

    def __init__(self, params: DecisionParams | None = None) -> None:
        self.params = params or risk_is_frustration()
        self.arc = ArcState()
        self.state = DecisionState()
        self.seq = 0
        self.decisions: list[Any] = []

    def bot(self, text: str, confidence: float = 0.8) -> None:
        self.seq += 1
        message = snapshot(self.seq, "bot", text).model_copy(update={"bot": BotInfo(confidence=confidence)})
        self.arc = advance(self.arc, message, Scores(bot_confidence=confidence))

    def customer(self, text: str, sentiment: float = -0.1, **signals: Any) -> Any:
        self.seq += 1
        scores = Scores(sentiment=sentiment, frustration=0.1, **signals)
        remembered = Recent(message_id=f"m{self.seq}", seq=self.seq, minhash=encode_minhash(minhash(text)))
        self.arc = advance(self.arc, snapshot(self.seq, "customer", text), scores, remember=remembered)
        decision, self.state = decide(
            scores, self.arc.public(), Context(now=NOW), self.state, self.params, text=text, seq=self.seq
        )
        self.decisions.append(decision)
        return decision


def test_two_failed_answers_the_customer_showed_escalate_with_the_failures_as_evidence() -> None:
    c = Conversation()
    assert c.customer("where do i change the billing email").action == "resolve"
    c.bot("To change your login email, go to Profile > Email.")
    assert (
        c.customer("not the login email, the one invoices go to", negative_feedback=True).action == "resolve"
    )
    c.bot("To change your login email, go to Profile > Email.")  # the same answer again
    third = c.customer("billing email. for invoices.")
    assert (third.action, third.guardrail) == ("escalate", "bot_failing")
    reason = third.reasons[0]
    assert (reason.code, reason.label) == ("bot_failing", "The bot keeps failing")
    assert reason.evidence == "2 bot answers failed (said it did not help 1, the same answer again 1)"
    # The cause stays on the conversation for every later decision.
    later = c.customer("thanks")
    assert later.escalated_because is not None and later.escalated_because.guardrail == "bot_failing"


def test_unsure_answers_alone_do_not_escalate_and_a_happy_customer_is_not_handed_over() -> None:
    unsure = Conversation()
    unsure.customer("how do I add a teammate?")
    unsure.bot("Maybe Settings > Team?", confidence=0.3)
    unsure.customer("found it. and how do I set their role?")
    unsure.bot("Possibly under Roles.", confidence=0.4)
    assert unsure.customer("ok, and can I bulk invite?").action == "resolve"  # two unsure answers, no sign

    happy = Conversation()
    happy.customer("how do I export users?")
    happy.bot("Reports > Export.", confidence=0.3)
    happy.customer("not reports, users", rephrase_of="m1")
    happy.bot("Settings > Users > Export.", confidence=0.4)
    assert happy.customer("perfect, that worked, thanks!", sentiment=0.8).action == "resolve"


def test_one_failed_answer_is_not_a_loop() -> None:
    c = Conversation()
    c.customer("how do I export users?")
    c.bot("Reports > Export.")
    assert c.customer("no, the user list", negative_feedback=True).action == "resolve"
    c.bot("Settings > Users > Export.")
    assert c.customer("and can I schedule it weekly?").action == "resolve"
    assert all(d.guardrail is None for d in c.decisions)


def two_failed_answers(c: Conversation) -> Any:
    """One answer the customer says did not help, then the same answer again; the decision on "still no"."""
    c.customer("export users?")
    c.bot("Reports > Export.")
    c.customer("no", negative_feedback=True)
    c.bot("Reports > Export.")
    return c.customer("still no")


def test_after_a_hand_back_the_bot_gets_a_fresh_count() -> None:
    c = Conversation()
    assert two_failed_answers(c).guardrail == "bot_failing"
    c.state = handed_back(c.state)
    c.bot("Anything else I can help with?")
    assert c.customer("how do I change my invoice address?").action != "escalate"  # the old count does not
    c.bot("Settings > Billing.", confidence=0.3)
    assert c.customer("there is no address field there", negative_feedback=True).action != "escalate"
    c.bot("Settings > Billing.")  # again: a second failure since the hand-back
    again = c.customer("that is the same page")
    assert (again.action, again.guardrail) == ("escalate", "bot_failing")


def test_a_team_sets_the_count_or_turns_it_off() -> None:
    def run(params: DecisionParams) -> str:
        return str(two_failed_answers(Conversation(params)).action)

    guardrails = {**load_default().guardrails.model_dump(), "bot_loop": False}
    assert run(risk_is_frustration(guardrails={**guardrails, "bot_failures": 3})) == "resolve"
    assert run(risk_is_frustration(guardrails={**guardrails, "bot_failures": None})) == "resolve"
    assert run(risk_is_frustration(guardrails={**guardrails, "bot_failures": 2})) == "escalate"
    assert load_default().guardrails.bot_failures == 2


def test_the_bot_saying_the_same_again_after_the_customer_pushed_back_escalates_on_their_next_message() -> (
    None
):
    """One failure, but a loop: the customer explained, and the bot had nothing new (a sentence added or a
    closing question does not make an answer new)."""
    c = Conversation()
    c.customer("The express delivery arrived three days late. Can the express fee be refunded?")
    c.bot("Express shipping fees are non-refundable once the order has been dispatched.")
    assert c.customer("Your delivery page says late express orders get the fee back.").action == "resolve"
    c.bot(
        "Express shipping fees are non-refundable once the order has been dispatched. "
        "Is there anything else I can help with?"
    )
    third = c.customer("Yes, the refund the page promises.")
    assert (third.action, third.guardrail) == ("escalate", "bot_failing")
    assert (
        third.reasons[0].evidence == "the bot gave the same answer again after the customer came back to it"
    )
    # Thanks after the same answer is no loop; a team may count a repeated answer as one failure only.
    thanks = Conversation()
    thanks.customer("Can the express fee be refunded?")
    thanks.bot("Express shipping fees are non-refundable once the order has been dispatched.")
    thanks.customer("Even for a late delivery?")
    thanks.bot("Express shipping fees are non-refundable once the order has been dispatched. Sorry!")
    assert thanks.customer("ok, understood, thanks", sentiment=0.6).action == "resolve"
    off = Conversation(
        risk_is_frustration(guardrails={**load_default().guardrails.model_dump(), "bot_loop": False})
    )
    off.customer("Can the express fee be refunded?")
    off.bot("Express shipping fees are non-refundable once the order has been dispatched.")
    off.customer("Even for a late delivery?")
    off.bot("Express shipping fees are non-refundable once the order has been dispatched.")
    assert off.customer("the page says otherwise").action == "resolve"
    assert load_default().guardrails.bot_loop is True


def test_the_same_answer_in_other_words_is_a_loop() -> None:
    c = Conversation()
    c.customer("My prescription transfer has said pending for 5 days. Can you check it?")
    c.bot(
        "Prescription transfers typically take 2-3 business days, as we need to contact your previous pharmacy."
    )
    c.customer("Is there a way to speed it up? I need it before Thursday.")
    c.bot("Transfers usually take 2-3 business days. You'll get a notification once it's complete.")
    third = c.customer("What do I do on Thursday then?")
    assert (third.action, third.guardrail) == ("escalate", "bot_failing")
    assert c.arc.public().bot_failure_reasons == {"repeated_answer": 1}


def test_an_earlier_answer_again_after_a_failed_one_is_a_loop_but_a_confirmation_is_not() -> None:
    c = Conversation()
    c.customer("my internet is 3 Mbps on a 300 plan since Monday")
    c.bot("A quick restart often helps. Please turn your router off for 30 seconds and then on again.")
    c.customer("I restarted it, also tried a cable. Still 3.")
    c.bot("Wi-Fi speeds can be affected by distance. Try moving closer to the router.")
    c.customer("It's on a cable. Not wifi.", negative_feedback=True)
    c.bot("A quick restart often helps. Please turn your router off for 30 seconds and then on again.")
    fourth = c.customer("ok.")
    assert (fourth.action, fourth.guardrail) == ("escalate", "bot_failing")
    booking = Conversation()
    booking.customer("can i change my delivery slot for tomorrow")
    booking.bot("Sure! Your delivery is tomorrow 10:00-11:00. What time would suit you better?")
    booking.customer("anything after 6pm")
    booking.bot("Tomorrow evening I have 18:00-19:00 and 19:00-20:00.")
    booking.customer("7-8 pls")
    booking.bot("Done! Your delivery is now tomorrow 19:00-20:00.")
    assert booking.customer("gr8 ta", sentiment=0.16).action == "resolve"


def test_details_listed_again_with_other_numbers_are_progress_the_same_numbers_again_a_loop() -> None:
    c = Conversation()
    c.customer("I need to send money to my sister in Portugal")
    c.bot(
        "Here are the details:\n- Amount: $1,500.00 = EUR 1,372.40\n- Fee: $15.00\nPlease confirm (yes) to proceed."
    )
    c.customer("wait actually make it 1200, she said she only needs that much")
    c.bot(
        "No problem. Updated details:\n- Amount: $1,200.00 = EUR 1,097.92\n- Fee: $15.00\nPlease confirm (yes) to proceed."
    )
    assert c.customer("yes", sentiment=0.16).action == "resolve"
    loop = Conversation()
    loop.customer("Our API calls started returning 429 today. We're on the Growth plan.")
    loop.bot("429 means you've hit the rate limit. The Growth plan allows 100 requests per second.")
    loop.customer("We're sending about 20 rps per our logs.")
    loop.bot("The Growth plan allows 100 requests per second. Consider upgrading for higher limits.")
    assert loop.arc.public().bot_failure_reasons == {"repeated_answer": 1}


def test_the_same_apology_around_a_new_answer_is_not_a_loop() -> None:
    c = Conversation()
    c.customer("My refund for order 2231 hasn't arrived.")
    c.bot("I'm sorry for the inconvenience. Refunds take 5-7 business days after we receive the return.")
    c.customer("You received it on the 2nd, it's the 20th.")
    c.bot("I'm sorry for the inconvenience. I have reissued the refund today.")
    assert c.customer("ok").action == "resolve"
    assert c.arc.public().bot_failures == 0


def test_a_new_answer_that_shares_a_sentence_with_the_last_one_is_not_a_loop() -> None:
    c = Conversation()
    c.customer("How do I add a teammate to our workspace?")
    c.bot("Go to Settings > Team and click Invite. Invited people get an email with a link.")
    c.customer("and how do I make them an admin?")
    c.bot(
        "Open Settings > Team, pick the person and choose the Admin role in the menu next to their name. "
        "Admins can manage billing, integrations and every project of the workspace. "
        "Invited people get an email with a link."
    )
    assert c.customer("got it").action == "resolve"
    assert c.arc.public().bot_failures == 0


def test_sarcasm_that_reads_positive_still_counts_when_it_complains_about_the_answers() -> None:
    c = Conversation()
    c.customer("Hi, the app logs me out every 5 minutes.")
    c.bot("Please try clearing your browser cache and cookies.")
    assert c.customer("done. still happens", negative_feedback=True).action == "resolve"
    c.bot("Please try clearing your browser cache and cookies.")  # the same answer again
    sarcastic = c.customer("oh great, same answer. very helpful", sentiment=0.46, negative_feedback=True)
    assert (sarcastic.action, sarcastic.guardrail) == ("escalate", "bot_failing")


def test_follow_ups_on_the_same_topic_are_no_proof_of_failure() -> None:
    """The embedding calls a follow-up on the same topic a rephrasing: counted, never the proof."""
    c = Conversation()
    c.customer("Invoice INV-20931 lists 14 seats but we have 12. Why?")
    c.bot("Seats removed mid-period are credited on the next invoice.")
    c.customer("So the two seats we removed should appear as a credit?", rephrase_of="m1")
    c.bot("Yes: a prorated credit appears on the next invoice.")
    c.customer("And will that credit show under Adjustments?", rephrase_of="m1")
    assert c.arc.public().bot_failure_reasons == {"rephrase": 2}  # counted ...
    assert all(d.action == "resolve" for d in c.decisions)  # ... but no proof


def test_an_unsure_answer_the_customer_then_says_did_not_help_is_proof_enough() -> None:
    c = Conversation()
    c.customer("The CSV export cuts off at 10,000 rows. Is that a limit?")
    c.bot("You can export your data as CSV, XLSX or JSON.", confidence=0.3)
    c.customer("Is there a row limit or not?")
    c.bot("Exports are available in CSV, XLSX and JSON.", confidence=0.3)
    third = c.customer("Amazing. Third try: is 10,000 rows a LIMIT.", sentiment=0.5, negative_feedback=True)
    assert (third.action, third.guardrail) == ("escalate", "bot_failing")
    # The second unsure answer is counted under what the customer showed, once.
    assert third.reasons[0].evidence == "2 bot answers failed (low confidence 1, said it did not help 1)"


def test_the_same_question_word_for_word_after_an_unsure_answer_shows_it_failed() -> None:
    c = Conversation()
    c.customer("Do you have the Shimano 11-speed chain in stock at the Leeds shop?")
    c.bot("You can check stock availability for all our products on our website.", confidence=0.48)
    c.customer("Do you have the Shimano 11-speed chain in stock at the Leeds shop?", repeat_of="m1")
    c.bot("For click & collect, select your preferred store at checkout.", confidence=0.46)
    third = c.customer("okay.", sentiment=0.2)
    assert (third.action, third.guardrail) == ("escalate", "bot_failing")
    assert third.reasons[0].evidence == "2 bot answers failed (low confidence 1, repeated 1)"


def test_waiting_longer_than_the_answer_said_escalates_at_once() -> None:
    c = Conversation()
    c.customer("Hi, when will I receive the payout for the 4 tickets I sold? Listing L-883201.")
    c.bot("Payouts are sent 5-7 business days after the event, to the bank account in your profile.")
    second = c.customer("The concert was on 14 September, six weeks ago. It's 1,200 EUR.")
    assert (second.action, second.guardrail) == ("escalate", "bot_failing")
    assert (
        second.reasons[0].evidence
        == "the customer has waited longer than the bot's answer said it would take"
    )


def test_waiting_within_the_answers_time_frame_is_no_failure_and_a_team_can_turn_it_off() -> None:
    within = Conversation()
    within.customer("My refund hasn't arrived yet.")
    within.bot("Refunds reach your card within 5-10 business days.")
    assert within.customer("OK, it's been 4 days, I'll wait then.").action == "resolve"
    params = risk_is_frustration()
    off = Conversation(
        params.model_copy(update={"guardrails": params.guardrails.model_copy(update={"overdue": False})})
    )
    off.customer("My refund hasn't arrived yet.")
    off.bot("Refunds reach your card within 5-10 business days.")
    assert off.customer("It's been three weeks.").action == "resolve"


def test_the_engine_reads_the_arcs_failure_reasons_by_their_names() -> None:
    """The engine names the arc's reasons and its positive-sentiment bound itself, not by importing
    `baton.scoring.arc` (8-10 ms more on the decide function's cold start): these copies must not drift."""
    from baton.decision import engine
    from baton.scoring import arc

    reasons = {arc.LOW_CONFIDENCE, arc.NEGATIVE_FEEDBACK, arc.REPEAT, arc.REPHRASE, arc.ASKED_FOR_HUMAN}
    assert set(engine._FAILURE_WORDS) == reasons | {arc.REPEATED_ANSWER, arc.OVERDUE}
    assert set(engine._SHOWN_FAILURES) == {
        arc.NEGATIVE_FEEDBACK,
        arc.REPEAT,
        arc.ASKED_FOR_HUMAN,
        arc.REPEATED_ANSWER,
        arc.OVERDUE,
    }
    assert engine.POSITIVE_SENTIMENT == arc.POSITIVE_SENTIMENT
    assert engine.REPEATED_ANSWER == arc.REPEATED_ANSWER
    assert engine.OVERDUE == arc.OVERDUE


def test_an_answer_to_the_bots_own_question_is_no_failure_though_it_says_the_request_again() -> None:
    """A bot that asks what it needs ("What time?", "Please confirm: ...") gets answers that say the request again
    in other words, and plain "no, I want ..." corrections of what it read back: a task dialogue's every turn,
    not a bot failing (the long calm dialogues' round: 80% of calm SGD dialogues were escalated on them)."""
    c = Conversation()
    c.customer("could you help me find a restaurant to dine in?")  # m1
    c.bot("Do you have any preference on the type of food, such as Chinese or Mexican?")
    assert c.customer("I'd like Southern food at a restaurant with live music.", rephrase_of="m1").action == (
        "resolve"
    )
    c.bot("Please confirm: a table for 2 at Hukilau at 7:15 pm on March 1st.")
    fourth = c.customer("No, I need the table at 7:30 pm.", negative_feedback=True, rephrase_of="m3")
    assert fourth.action == "resolve" and c.arc.bot_failures == 0
    # The same words after an answer that stated something are the customer asking again.
    c.bot("Hukilau serves Southern food.")
    c.customer("a restaurant with live music, please", rephrase_of="m1")
    assert c.arc.bot_failures == 1
    c.bot("Hukilau serves Southern food.")
    said_again = c.customer("No, I want live music. Southern food with live music.", negative_feedback=True)
    assert (said_again.action, said_again.guardrail) == ("escalate", "bot_failing")


def test_asks_only_reads_a_question_or_a_confirmation_and_nothing_stated() -> None:
    from baton.scoring.arc import asks_only

    assert asks_only("Which city are you leaving from?")
    assert asks_only("Sorry to hear that. Could you share the order number?")
    assert asks_only("Please verify the following: a table for 2 at Yayume Sushi on March 1st, 4:45 pm.")
    assert asks_only("To confirm then, that is 4 tickets to see Joe Hisaishi on March 9th.")
    assert not asks_only("Reset it from Settings > Security. Did that help?")
    assert not asks_only("There is one showing at The Lot City Center at 7:30 pm.")
    assert not asks_only("Thanks for waiting.")  # nothing asked either


def test_a_yes_to_what_the_bot_offered_is_no_rephrase_and_carrying_it_out_is_no_loop() -> None:
    """An agent that offers and then does what it offered says the details twice ("4A and 4B are free ... Shall I
    book them?" / "Booked: 4A and 4B"), and the customer's yes may restate the request: neither is a failure. Without
    the yes, the same answer again still is (the thirtieth set's round)."""
    c = Conversation()
    c.customer("can we sit together near the front of the plane")  # m1
    c.bot("Seats near the front are 12 pounds each. 4A and 4B are free on both flights. Shall I book them?")
    c.customer("yes please, book the seats near the front", rephrase_of="m1")
    c.bot("Done. 4A and 4B are booked on both flights.")  # the same statement: a loop but for the yes
    assert c.customer("great, thanks").action == "resolve" and c.arc.bot_failures == 0
    c.bot("Seats near the front are 12 pounds each. 4A and 4B are free on both flights. Shall I book them?")
    no = c.customer("no, I asked about the return flight", negative_feedback=True)
    assert c.arc.bot_failures == 1 and no.action == "resolve"
    c.bot("Seats near the front are 12 pounds each. 4A and 4B are free on both flights. Shall I book them?")
    again = c.customer("the RETURN flight")
    assert (again.action, again.guardrail) == ("escalate", "bot_failing")


def test_accepts_reads_a_yes_without_a_but() -> None:
    from baton.scoring.arc import accepts

    assert (
        accepts("yes please")
        and accepts("ok do that then. refund and I'll order the 8s")
        and accepts("ja doe maar")
    )
    assert (
        not accepts("yes, but it still doesn't work")
        and not accepts("no")
        and not accepts("yesterday it broke")
    )
