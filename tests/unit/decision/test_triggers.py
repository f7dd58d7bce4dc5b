"""The triggers a support lead escalates first: guardrails configurable in the parameters, negation-aware,
measured on hand-written labelled sets (events/labelled/triggers-*.jsonl)."""

from __future__ import annotations

import functools
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from baton.cli import main as cli_main
from baton.context.models import Context, fold
from baton.decision.engine import DecisionState, decide, guardrail_matches, model_gate
from baton.decision.params import (
    DecisionParams,
    InvalidParams,
    default_path,
    deployable,
    fingerprint,
    load_default,
    restamp,
)
from baton.decision.triggers_eval import evaluate, load_reader, read
from baton.events import Arc, Scores
from baton.scoring.signals import asks_for_human

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
LABELLED = Path(__file__).resolve().parents[3] / "events" / "labelled"
TRIGGERS = (
    "cancellation_refund",
    "payment_dispute",
    "competitor_switch",
    "public_complaint",
    "data_loss",
    "account_compromise",
    "team_blocked",
    "repeated_contact",
    "human_request",
)


def decided(text: str, *, asks_for_human: bool = False):
    calm = Scores(sentiment=0.1, frustration=0.05, intent_confidence=0.9, asks_for_human=asks_for_human)
    # The arc of a calm first message, as scoring gives it (a missing statistic counts as average).
    arc = Arc(
        customer_turns=1, sentiment_ewma=0.1, volatility=0.0, peak_frustration=0.05, turns_since_positive=0
    )
    decision, _ = decide(calm, arc, Context(now=NOW), DecisionState(), load_default(), text=text)
    return decision


# ---------------------------------------------------------------------------------------------- the issue's examples


@pytest.mark.parametrize(
    ("text", "trigger", "label"),
    [
        ("I want to cancel my subscription and get a refund now.", "cancellation_refund", "refund"),
        ("I'm going to report you to my bank and dispute the charge.", "payment_dispute", "dispute"),
        ("After yesterday's update all our projects from last month are gone.", "data_loss", "Data loss"),
        (
            "Two weeks without an answer on my refund. If I don't hear back today I'll post all of this on Twitter.",
            "public_complaint",
            "public",
        ),
        ("we're moving to Zendesk", "competitor_switch", "competitor"),
        ("We're moving to a competitor next month.", "competitor_switch", "competitor"),
        ("none of our 40 users can log in", "team_blocked", "team"),
        ("the whole team is locked out", "team_blocked", "team"),
        ("this is the third time I'm writing", "repeated_contact", "repeatedly"),
        ("I've contacted you 4 times about this", "repeated_contact", "repeatedly"),
        (
            "no. I'll just cancel and go to the gym down the road when I'm back",
            "competitor_switch",
            "competitor",
        ),
        (
            "lost my bags 4 days ago. wedding is TOMORROW. nobody picks up the phone",
            "repeated_contact",
            "repeatedly",
        ),
        (
            "Someone logged into my account from another country and changed the password.",
            "account_compromise",
            "Account",
        ),
    ],
)
def test_what_a_support_lead_escalates_first_escalates_a_calm_message_with_its_reason(
    text: str, trigger: str, label: str
) -> None:
    decision = decided(text)
    assert (decision.action, decision.guardrail) == ("escalate", trigger)
    reason = decision.reasons[0]
    assert (reason.code, reason.contribution) == (trigger, 1.0)
    assert label in reason.label
    assert reason.evidence.startswith('says "')


def test_existing_guardrails_keep_their_codes() -> None:
    assert decided("If this isn't fixed by Friday my lawyer will be in touch.").guardrail == "legal_threat"
    assert decided("Is this a data breach? Our customer list is public").guardrail == "security_incident"
    assert decided("honestly I want to kill myself, nothing works").guardrail == "safety_risk"


# ---------------------------------------------------------------------------------------------- negation and calm mentions


@pytest.mark.parametrize(
    "text",
    [
        "I don't want to cancel my subscription and get a refund, I just want the invoice fixed.",
        "We're not cancelling and we don't need a refund.",
        "no need to dispute anything, I'll wait for the corrected invoice",
        "I'm not going to dispute the charge with my bank.",
        "I'm not going to post this anywhere, let alone on Twitter.",
        "I won't post this on Twitter, don't worry.",
        "nothing was lost",
        "No data was lost, the sync just paused.",
        "I'm not switching to Zendesk, just asking about the import.",
        "We have no plans to move to a competitor.",
        "It's not the whole team that is locked out, only one user.",
        "This isn't the third time I'm writing, it's the first.",
        # calm mentions of the same words
        "what's your refund policy?",
        "how do I cancel an invoice?",
        "can I export before cancelling my trial?",
        "If I cancel this month, do I get a refund for the unused days?",
        "How do chargebacks from my own customers show up in the reports?",
        "We migrated from Zendesk to Baton last year, great move.",
        "Where can I leave you a review? You've been great.",
        "How do I restore a deleted project from the trash?",
        "How do I reset my password?",
        "Yes. Will our data be deleted?",
        "Would my files be lost if I downgrade?",
        "Nobody answers at the store, are you open on Sundays?",
        "Can the whole team see the shared dashboard?",
        "Hi! Quick question: our November invoice shows 124 seats but I think we only have 120. "
        "Could you explain the difference?",
    ],
)
def test_negated_and_calm_mentions_trip_nothing(text: str) -> None:
    assert guardrail_matches(text, load_default()) == []
    decision = decided(text)
    assert (decision.action, decision.guardrail) == ("resolve", None)


@pytest.mark.parametrize(
    ("text", "trigger"),
    [
        # indirect wording: the phrasing family, not one sentence of the labelled sets
        ("We're jumping ship at the end of the month.", "competitor_switch"),
        ("we have chosen another vendor for next year", "competitor_switch"),
        ("We are currently evaluating alternatives to your product.", "competitor_switch"),
        ("Honestly we'll just use Freshdesk instead.", "competitor_switch"),
        ("management wants to migrate off your platform by Q3", "competitor_switch"),
        ("Give me one good reason not to move to HubSpot.", "competitor_switch"),
        ("I'll name and shame you on LinkedIn.", "public_complaint"),
        ("Recording a YouTube video about this mess tonight.", "public_complaint"),
        ("Going to leave a review everywhere I can.", "public_complaint"),
        ("Don't be surprised when you see this on Reddit.", "public_complaint"),
        ("My Trustpilot review won't be kind.", "public_complaint"),
        ("Our data vanished overnight.", "data_loss"),
        ("the migration wiped our workspace", "data_loss"),
        ("Everything's gone after the sync.", "data_loss"),
        ("Weeks of work lost because of your bug.", "data_loss"),
        ("Someone got into my account last night.", "account_compromise"),
        ("My acount has been hacked!!", "account_compromise"),
        ("there's a new device on my account that isn't mine", "account_compromise"),
        # round 4: a move to someone else without a rival's name we know
        ("I'll switch insurer at renewal, their quote is much better.", "competitor_switch"),
        ("We're not renewing: our new supplier starts in April.", "competitor_switch"),
        ("Vodafone sent me a better offer, so unless you can match it I'm off.", "competitor_switch"),
        ("After eight years we're taking the shop to Shopify.", "competitor_switch"),
        ("I'm porting my number to another network when the contract ends.", "competitor_switch"),
        ("We have a kickoff call with our new vendor next week.", "competitor_switch"),
        ("Next time I'll fly with a different airline.", "competitor_switch"),
        # round 5: a complaint taken to an authority or a court, a post that is out
        ("I've lodged a complaint with the energy ombudsman.", "public_complaint"),
        ("We will be reporting this to Trading Standards.", "public_complaint"),
        ("Our solicitors will be in touch about the broken contract.", "public_complaint"),
        ("This is going into my podcast episode on Friday.", "public_complaint"),
        ("Ich gehe damit zur Verbraucherzentrale.", "public_complaint"),
        # a contact before this one
        ("Per my previous emails, the credit note is still missing.", "repeated_contact"),
        ("Your colleague promised a callback yesterday. Nothing.", "repeated_contact"),
        ("I reported the same sync error last week too.", "repeated_contact"),
        ("C'est la troisième fois que j'écris à ce sujet.", "repeated_contact"),
        # other words for a cancellation with its money, a move, a loss, a blocked crew, a takeover, a dispute
        ("Close my acount and pay back the rest of the year.", "cancellation_refund"),
        ("Je veux résilier et être remboursée.", "cancellation_refund"),
        ("We've started a pilot with Airtable for the same workflow.", "competitor_switch"),
        ("Nous passons chez un concurrent en janvier.", "competitor_switch"),
        ("The import scrambled every address in our customer list.", "data_loss"),
        ("All our reward points reset to zero after the update.", "data_loss"),
        ("Our couriers are all sitting idle, the app won't load for anyone.", "team_blocked"),
        ("The webhook secret was rotated last night and nobody here did it.", "account_compromise"),
        ("I marked the payment as fraud in my banking app.", "payment_dispute"),
        # round 6: a lawyer or an authority already involved, a review announced in few words
        ("Our solicitors are copied on this thread.", "public_complaint"),
        ("The state insurance commission will be hearing about this.", "public_complaint"),
        ("I've written to my MP about the exit fees.", "public_complaint"),
        ("tripadvisor review going up tonight", "public_complaint"),
        # a contact dated, promised, counted or repeated
        ("I've been emailing since March about the same deposit.", "repeated_contact"),
        ("This is our fifth call about the broken card reader.", "repeated_contact"),
        ("You keep telling me the engineer is on his way.", "repeated_contact"),
        # an ending and its money in other words
        ("We're out. Close the membership and send back what's left on it.", "cancellation_refund"),
        ("Voglio disdire il contratto e avere indietro i soldi, cioè il rimborso.", "cancellation_refund"),
        # the bank already has it, data no longer there, a change nobody made, a crew stopped, a move
        ("Filed a dispute through my credit union for the gym fee.", "payment_dispute"),
        ("The signed contracts are no longer in the client portal.", "data_loss"),
        ("The payout email was changed to an address I don't recognise.", "account_compromise"),
        ("We're 30 staff and we can't do our jobs without the rota app.", "team_blocked"),
        ("Already downloaded another app that does the same thing for less.", "competitor_switch"),
        # round 8: back again about the same thing, a case reopened, a promise after a call, papers sent again
        ("hello again, still nothing on the refund for order 5521", "repeated_contact"),
        ("Reopening case 40917, the workaround stopped working.", "repeated_contact"),
        ("Wasn't this meant to be fixed after our call in May?", "repeated_contact"),
        ("I've uploaded the certificate twice already.", "repeated_contact"),
        ("You closed the ticket without fixing it, so here we go again.", "repeated_contact"),
        ("I have raised this on four previous occasions.", "repeated_contact"),
        # every site at once, a crew of any trade idle, what nobody can do
        ("All five of our pharmacies are offline since the update.", "team_blocked"),
        ("12 electricians standing around because the job app won't load.", "team_blocked"),
        ("Our 40 carers can't see today's visits.", "team_blocked"),
        ("Since 8am nobody can send invoices, the button is greyed out for all of us.", "team_blocked"),
        ("Aucun de nos vendeurs ne peut ouvrir la caisse.", "team_blocked"),
        # storage come back empty, records that no longer exist; things nobody on the team made
        ("After the resize the data volume is empty and the app starts with no tables.", "data_loss"),
        ("Our customer records no longer exist in the CRM after your cleanup.", "data_loss"),
        ("There are 12 new admins on our tenant that nobody here created.", "account_compromise"),
        # round 13: a trade or licensing body, the press, counsel at work, another provider in the customer's language
        ("I'm reporting you to the state licensing board for contractors.", "public_complaint"),
        ("The pharmacy council will be hearing from me about this.", "public_complaint"),
        ("I've already called the regional newspaper about how you treated us.", "public_complaint"),
        ("Unser Anwalt ist bereits eingeschaltet.", "public_complaint"),
        ("Stiamo valutando altri fornitori per la consegna.", "competitor_switch"),
        # round 14: the bank already acting, Section 75, the money back after undo / call off / do not renew, a
        # consumer programme or an MP, a video's views, settings reset, a whole department in other languages,
        # taken over in Dutch, several tickets, the next order placed elsewhere
        ("The card issuer has put your charge on hold while they investigate.", "payment_dispute"),
        ("I've made a Section 75 claim for the sofa deposit.", "payment_dispute"),
        ("Ik heb de afschrijving laten terugboeken.", "payment_dispute"),
        (
            "We can't make the trip now. Please call the whole booking off and wire back the deposit.",
            "cancellation_refund",
        ),
        ("Ich storniere den Kurs und möchte die Anzahlung zurück.", "cancellation_refund"),
        ("Annulla l'abbonamento e rimborsami il mese.", "cancellation_refund"),
        ("A reporter from the local paper is interested in my case, I've emailed her.", "public_complaint"),
        ("I've written to my MP about the way you handled the repairs.", "public_complaint"),
        ("The video of your van driver is at 80k views already.", "public_complaint"),
        ("Every saved template in the editor was reset to defaults overnight.", "data_loss"),
        ("Alle onze offertes zijn verdwenen na de update.", "data_loss"),
        ("De hele afdeling kan niet inloggen sinds vanochtend.", "team_blocked"),
        ("Mijn account is overgenomen door iemand anders.", "account_compromise"),
        ("Somebody's been ordering on my account with my saved card.", "account_compromise"),
        ("I raised it in ticket 5521, then ticket 5590, and nobody has answered.", "repeated_contact"),
        ("Our next order is going elsewhere, they deliver on Sundays.", "competitor_switch"),
        # the twenty-fifth conversation set's round: an event called off and the money back across sentences, a
        # dispute opened in Polish
        ("The party is off. My sister is ill. I'd like the £200 deposit returned.", "cancellation_refund"),
        ("We've called the move off, please refund the booking fee.", "cancellation_refund"),
        ("Zgłosiłem spór w banku w sprawie tej płatności.", "payment_dispute"),
        # the thirtieth set's round (long agent conversations): told the login email changed, a charge disowned with
        # words between, someone hurt, nowhere to sleep
        ("Just got an email saying my password was reset, wasn't me.", "account_compromise"),
        ("There's also a charge for premium that I didnt do.", "security_incident"),
        ("The shelf came down on my daughter, we took her to A&E to get checked.", "vulnerable_customer"),
        ("He bruised his arm when the gate fell.", "vulnerable_customer"),
        ("It's midnight and we have nowhere to sleep.", "vulnerable_customer"),
        ("He was texting the whole way on the motorway and nearly hit a van.", "vulnerable_customer"),
        ("The courier was driving like a maniac through the estate.", "vulnerable_customer"),
    ],
)
def test_indirect_wordings_trip_their_trigger(text: str, trigger: str) -> None:
    assert trigger in {name for name, _ in guardrail_matches(text, load_default())}


@pytest.mark.parametrize(
    "text",
    [
        "I'd like to switch to a cheaper plan next month.",
        "We're considering switching to annual billing.",
        "We're moving our HubSpot contacts into Baton, how do we map fields?",
        "I'm leaving on vacation, please contact my colleague instead.",
        "We chose your product over Zendesk last year.",
        "Our customer filed a chargeback, how do I upload evidence?",
        "One of our clients disputed the payment in Stripe, what do we do?",
        "I called my bank and they said the payment went through.",
        "I never said I'd dispute the payment.",
        "Thanks, the cancellation went through and the refund arrived.",
        "A customer left us a 1-star review on Google, can we reply from the app?",
        "Your team was great, I'll leave a glowing review on G2.",
        "We're making a YouTube video tutorial about your API, can we use your logo?",
        "Please let everyone on my team know about the new SSO setting.",
        "The duplicate contacts are gone now, thanks for the merge tool.",
        "We deleted all the test tickets, you can ignore them.",
        "Everything works now, the warning disappeared.",
        "Someone from your team logged in to help us, thanks.",
        "Where can I find the human resources integration?",
        # round 4
        "Our invoice should use reverse charge VAT, can you reissue it?",
        "Is the reverse charge applied correctly on our last invoice?",
        "No one has logged into my account from a new device, right?",
        "Please move our account to the annual plan.",
        "Can we port our existing number to your service?",
        "Your sales rep offered us a better price for two years, can you confirm it?",
        "The quote from your sales team is better than I expected.",
        "Please transfer the admin rights to Sam, I'm going on leave.",
        "I changed banks, how do I update the direct debit?",
        "Our new helpdesk agent starts Monday, how do I add her?",
        "The phone number on my account was switched to somebody else's phone by our IT team.",
        # round 5
        "I wrote to you yesterday about the invoice, did you get my email?",
        "Again, thank you for the great onboarding call.",
        "Following up on my email from Monday about the invoice address.",
        "Can I leave a review for the agent who helped me?",
        "The zip I downloaded from the export is corrupted on Mac, works on Windows.",
        "How do I reset the season counters to zero?",
        "Is the order.cancelled webhook sent before or after the refund.created event?",
        "Please cancel my subscription at the end of the billing period, no refund needed.",
        "We moved from Asana to you last year and love it.",
        "Do you integrate with Xero and QuickBooks?",
        # round 6
        "We had a chargeback from one of our customers, where do I see it?",
        "The security page says suspicious login protection is off, should I turn it on?",
        "Do people ever get their accounts hacked through the API?",
        "This is the second time I'm using the export, where is the CSV?",
        "The PayPal case from last spring was settled long ago, this is a new question.",
        "Can you restore a deleted project from last week?",
        "Our legal team needs your DPA, where do I download it?",
        "Our sales team has been calling customers since Monday with the new dialer.",
        # round 8
        "Hi again! New question: how do I add a second address?",
        "sorry i sent that twice, the page froze",
        "That makes two of us, the new dashboard is lovely.",
        "One of our stylists can't see her bookings, the others can.",
        "Can all of our staff see the new rota?",
        "I emptied the volume myself before the resize, how do I attach a new one?",
        "Where can I see which admins our team created last month?",
        # round 11: a lawyer who asks for a document, the business's own ombudsman scheme, a chargeback as history
        "Our lawyer asked for a copy of the contract, can you send it?",
        "My solicitor needs a statement of rent payments for the house sale.",
        "Our ombudsman membership number needs to go on the tenant letters.",
        "I had a chargeback with my former insurer years ago, does that affect the quote?",
        # round 12: a refund already received, a hack told as history, data erased as asked, a complaint not made, a
        # solicitor asking for a document a few words on
        "We cancelled in March and already got the refund, all good.",
        "Our account was hacked years ago; I just want to update the card on file.",
        "My login was compromised last year, so I'd like to turn on 2FA now.",
        "Thanks for confirming you erased our old notes as we requested.",
        "I was going to report you to the ombudsman, but it's sorted now.",
        "The solicitor handling the estate asked me to request a final statement of the account.",
        # round 13: the customer's own association, a paper form, a press release
        "I'm writing on behalf of our residents' association to update the billing address.",
        "Please write the totals in the paper book until the tills are back.",
        "We're writing a press release about the launch, can we quote you?",
        # round 14
        "Our office was broken into years ago; we'd like a quote for the camera plan.",
        "My bank asked me to confirm the payment to you and I did, all fine.",
        "Can I reset the template to defaults myself?",
        "How many views did our listing get last month?",
        "The next order can go to the same address as before.",
        # the twenty-fifth conversation set's round: a refund asked about after the cancellation, in the same sentence
        "We're relocating so we'll have to cancel the gym membership, how do refunds work for the annual fee?",
        "The concert was cancelled, will I get a refund automatically?",
        "The deal is off the table for now, we'll revisit pricing in spring.",
        # the thirtieth conversation set's round: a calm question about a charge, the kids at the counter with no
        # booking found, a button nearly hit, a manager spoken to before
        "why have i been charged for a bundle? I didn't buy anything",
        "we're at your shop with 2 kids and they say there's no booking, can you check?",
        "I almost hit the wrong button and deleted the draft, phew.",
        "Hablé con el supervisor ayer y me dijo que estaba resuelto.",
    ],
)
def test_calm_mentions_of_the_new_families_trip_nothing(text: str) -> None:
    assert guardrail_matches(text, load_default()) == []
    assert not asks_for_human(text)


@pytest.mark.parametrize(
    ("trigger", "text", "gated_in"),
    [
        # a cancellation needs a word of ending and a word of money, in either order
        ("cancellation_refund", "Shut it down and put the money back on my visa.", True),
        ("cancellation_refund", "Send what we paid back and close the account.", True),
        ("cancellation_refund", "refund please", False),
        ("cancellation_refund", "Please cancel at the end of the billing period.", False),
        # the four others: what the trigger is about, in the words customers use for it
        ("competitor_switch", "We have a kickoff with our new supplier on Monday.", True),
        ("competitor_switch", "Please add a checked bag to my booking.", False),
        ("data_loss", "The page says 'No invoices yet' but we've sent hundreds.", True),
        ("data_loss", "Can you update the invoice address?", False),
        ("account_compromise", "The transfer went to a payee I never set up.", True),
        ("account_compromise", "Please add a second admin to the workspace.", False),
        ("team_blocked", "Every terminal in the shop is frozen.", True),
        ("team_blocked", "Can you update the invoice address?", False),
        # round 11: trying is not contacting; a contact word still counts
        ("repeated_contact", "I've tried 3 times", False),
        ("repeated_contact", "I've emailed you 3 times", True),
        # round 12: a deletion the customer asks for is not a loss; a deletion that happened still counts
        ("data_loss", "Please delete my account and all my data.", False),
        ("data_loss", "The import deleted all our contacts.", True),
        # round 13: a rival told by where it is, a complaint told by the press or a body
        ("competitor_switch", "The gym down the road answers the phone.", True),
        ("public_complaint", "The local paper is doing a piece on this.", True),
        # the long calm dialogues' round: a traveller leaving from a station, a hotel's price range; leaving a
        # provider and a rival's price still count
        ("competitor_switch", "I will be leaving from London Kings Cross on Saturday.", False),
        ("competitor_switch", "A hotel in the expensive price range with free parking, please.", False),
        ("competitor_switch", "We're leaving at the end of the month.", True),
        ("competitor_switch", "Their price is half of yours.", True),
        # ... a traveller leaving on a day or a place by a time, a hotel that offers free parking, a trip to
        # Portland, a preference for an airline; leaving after this term and moving over to Monday.com still count
        ("competitor_switch", "I'm going to Cambridge and I need a train that leaves on Wednesday.", False),
        ("competitor_switch", "I need a taxi. I want to leave the hotel by 9:45.", False),
        ("competitor_switch", "A guesthouse that offers free wifi, please.", False),
        ("competitor_switch", "I'm going to Portland.", False),
        ("competitor_switch", "I would prefer to travel in Economy class.", False),
        ("competitor_switch", "We'll be leaving after this term.", True),
        ("competitor_switch", "We're moving our boards over to Monday.com.", True),
        (
            "competitor_switch",
            "We are moving house on the 28th and I'd like to take my broadband with us.",
            False,
        ),
        # ... the bot asked to try a booking again is no earlier contact; asking again still counts
        ("repeated_contact", "Nope, try it again for four people.", False),
        ("repeated_contact", "I'm asking again: where is my refund?", True),
        # the thirty-second conversation set's round: a freight pickup, "nothing changed on our side", "I'll tell
        # them" (the customer's colleagues); a vendor picked, nothing left and telling everyone still count
        ("competitor_switch", "Please book a pickup for 4 pallets tomorrow.", False),
        ("competitor_switch", "We picked another vendor last week.", True),
        ("data_loss", "We get 429 errors since this morning, nothing changed on our side.", False),
        ("data_loss", "There is nothing left in the shared drive.", True),
        ("public_complaint", "nah I'll tell them myself", False),
        ("public_complaint", "I'll tell everyone I know about this.", True),
        # the thirty-fifth: "other thing", "cheaper if we go annual", "I want delete my account"
        ("competitor_switch", "thanks. other thing, is it cheaper if we go annual?", False),
        ("competitor_switch", "The other provider is cheaper.", True),
        ("data_loss", "I want delete my account and all my notes", False),
        ("competitor_switch", "We're moving house on the 3rd, can you move our gas supply across?", False),
        ("competitor_switch", "We will move our account over to Octopus next month.", True),
        # the sixty-third: a card named as an answer is no dispute; a card with its charge or a claim still counts
        ("payment_dispute", "its a uk credit card. amex", False),
        # ... a copy the customer's side lost; a loss by the company counts
        ("data_loss", "need the august invoice again, accounts lost it", False),
        ("data_loss", "you lost it, the whole folder", True),
        # the sixty-seventh: Google as the account a game is linked to, someone who offered to pay; a review on
        # Google and an offer from a rival still count
        ("public_complaint", "yeah its google. says linked", False),
        ("public_complaint", "I'll leave a review on Google tonight.", True),
        ("competitor_switch", "neighbour already offered to pay half anyway lol", False),
        ("competitor_switch", "Octopus offered us a better rate.", True),
        # the seventy-third and seventy-fifth: a reorder, a replacement the company sends, Czech "takze je to", money
        # paid and nothing delivered; contacting again, a rival taking the account over, a file gone still count
        ("repeated_contact", "yes pls same again", False),
        ("competitor_switch", "Can you send a replacement charger?", False),
        ("competitor_switch", "Zkusil jsem kabel, 920. Takže je to wifi", False),
        ("data_loss", "bought 1200 coins, money gone, no coins", False),
        ("competitor_switch", "They will take the account over from next month.", True),
        ("data_loss", "the file is gone from the shared drive", True),
        ("payment_dispute", "it's the visa ending 4471", False),
        ("payment_dispute", "Amex says they'll take it from here, I never downloaded that licence.", True),
        ("payment_dispute", "Hab bei PayPal einen Käuferschutzfall eröffnet, die Brille kam nie an.", True),
    ],
)
def test_the_trigger_model_alone_needs_the_words_its_trigger_is_about(
    trigger: str, text: str, gated_in: bool
) -> None:
    assert model_gate(trigger, load_default(), fold(text)) is gated_in


def test_a_threat_after_a_negated_condition_still_counts() -> None:
    # The "don't" belongs to the condition, not to the threat.
    params = load_default()
    assert guardrail_matches("If you don't refund me I'll dispute the charge with my bank", params)[0][0] == (
        "payment_dispute"
    )
    assert guardrail_matches(
        "if i don't get a refund i'm cancelling my subscription and want my money back", params
    )
    # (2026-12) the same in Spanish and Italian: the English cue "no" inside a "si" / "se" condition
    assert (
        guardrail_matches("si no lo arreglan hoy lo publico en twitter", params)[0][0] == "public_complaint"
    )
    assert (
        guardrail_matches("se non rispondete oggi lo scrivo su trustpilot", params)[0][0]
        == "public_complaint"
    )
    # and without the condition the "no" still negates
    assert guardrail_matches("no lo publico en twitter, tranquilos", params) == []


def test_a_portuguese_in_the_is_no_negation() -> None:
    # Portuguese "no" is "in the" ("no aplicativo" = in the app): it does not negate what follows.
    params = load_default()
    assert guardrail_matches("no aplicativo todas as fotos sumiram", params)[0][0] == "data_loss"
    assert guardrail_matches("no photos were deleted, I found them", params) == []


@pytest.mark.parametrize(
    "text",
    [
        "I really don't want to be transferred",
        "please don't pass me to an agent",
        "I don't want to talk to a human, just tell me where the setting is.",
        "No need to get an agent involved, the article helped.",
    ],
)
def test_a_refused_human_is_not_a_request_for_one(text: str) -> None:
    assert not asks_for_human(text)


@pytest.mark.parametrize(
    "text",
    [
        "I'd like to be transferred to a human agent.",
        "Can someone call me?",
        "Human, please.",
        "I don't want a bot",
    ],
)
def test_asking_for_a_human_in_more_words(text: str) -> None:
    assert asks_for_human(text)


# ---------------------------------------------------------------------------------------------- measured


def held_out() -> Path:
    """The held-out set: triggers-test2.jsonl once it is written (round 2), else the round-1 test set, which
    was evaluated once and then tuned on (see docs/decision.md)."""
    fresh = LABELLED / "triggers-test2.jsonl"
    return fresh if fresh.is_file() else LABELLED / "triggers-test.jsonl"


RECALL_MISSED: dict[str, str] = {}
"""Triggers whose held-out recall is below the target. Strict: the mark must come off once one passes. Round 7
took `competitor_switch` off (0.902 on test2; 0.878 in round 6; docs/decision.md, "Round 7")."""


@pytest.fixture(scope="module")
def held_out_report():
    # The decision's full path: patterns OR the trigger model (layers/models/triggers), as `baton eval triggers`.
    return evaluate(read(held_out()), load_default(), load_reader())


@pytest.mark.parametrize("code", sorted(TRIGGERS))
def test_the_held_out_precision_meets_the_target(held_out_report, code: str) -> None:
    count = held_out_report.counts[code]
    assert count.support >= 38, code
    assert count.precision is not None and count.precision >= 0.9, (code, count)


@pytest.mark.parametrize(
    "code",
    [
        pytest.param(
            code, marks=pytest.mark.xfail(strict=True, reason=f"held-out recall {RECALL_MISSED[code]}")
        )
        if code in RECALL_MISSED
        else code
        for code in sorted(TRIGGERS)
    ],
)
def test_the_held_out_recall_meets_the_target(held_out_report, code: str) -> None:
    count = held_out_report.counts[code]
    assert count.recall is not None and count.recall >= 0.9, (code, count)


TEST4_MEASURED = {
    "account_compromise": (49, 0, 0),
    "cancellation_refund": (56, 1, 1),
    "competitor_switch": (54, 2, 0),
    "data_loss": (53, 2, 0),
    "human_request": (57, 3, 0),
    "payment_dispute": (51, 1, 0),
    "public_complaint": (58, 1, 0),
    "repeated_contact": (59, 0, 1),
    "team_blocked": (51, 0, 0),
}
"""(tp, fp, fn) per trigger on triggers-test4.jsonl after round 6, which tuned the patterns on it and trained the
model on it: development floors, not a held-out estimate (round 5 measured it blind: recall 0.72 to 0.86, precision
>= 0.9 for all nine)."""


def assert_at_least_as_measured(report, measured: dict[str, tuple[int, int, int]], code: str) -> None:
    """The trigger's support as labelled, and its recall and precision at least the (tp, fp, fn) measured."""
    tp, fp, fn = measured[code]
    count = report.counts[code]
    assert count.support == tp + fn, code
    assert count.recall is not None and count.recall >= tp / (tp + fn), (code, count)
    assert count.precision is not None and count.precision >= tp / (tp + fp), (code, count)


TEST5_MEASURED = {
    "account_compromise": (45, 2, 0),
    "cancellation_refund": (43, 2, 2),
    "competitor_switch": (45, 1, 0),
    "data_loss": (45, 2, 0),
    "human_request": (49, 0, 0),
    "payment_dispute": (45, 4, 1),
    "public_complaint": (46, 1, 0),
    "repeated_contact": (48, 1, 0),
    "team_blocked": (45, 1, 0),
}
"""(tp, fp, fn) per trigger on triggers-test5.jsonl after round 7, which tuned the patterns on it and trained the
model on it: development floors, not a held-out estimate (round 6 measured it blind: recall 0.78 to 0.96, precision
>= 0.9 for all nine)."""


TEST6_MEASURED = {
    "account_compromise": (49, 1, 0),
    "cancellation_refund": (51, 1, 2),
    "competitor_switch": (41, 2, 6),
    "data_loss": (50, 2, 1),
    "human_request": (52, 0, 0),
    "payment_dispute": (47, 1, 0),
    "public_complaint": (46, 3, 4),
    "repeated_contact": (49, 1, 3),
    "team_blocked": (50, 0, 0),
}
"""(tp, fp, fn) per trigger on triggers-test6.jsonl after round 8, which tuned the patterns on it and trained the
model on it: development floors, not a held-out estimate (round 7 measured it blind: recall 0.62 to 0.98, precision
>= 0.914 for all nine)."""


TEST7_MEASURED = {
    "account_compromise": (50, 4, 2),
    "cancellation_refund": (42, 1, 9),
    "competitor_switch": (47, 0, 4),
    "data_loss": (47, 5, 4),
    "human_request": (50, 2, 1),
    "payment_dispute": (46, 3, 2),
    "public_complaint": (49, 1, 2),
    "repeated_contact": (50, 0, 5),
    "team_blocked": (50, 1, 0),
}
"""(tp, fp, fn) per trigger on triggers-test7.jsonl after round 9, which trained the model on it and chose its
thresholds leave-one-author-out with it: development floors, not a held-out estimate (round 8 measured it blind:
recall 0.65 to 0.78, precision >= 0.9 for all but `data_loss`, 0.884)."""


TEST8_MEASURED = {
    "account_compromise": (46, 2, 1),
    "cancellation_refund": (47, 2, 2),
    "competitor_switch": (48, 0, 4),
    "data_loss": (41, 2, 5),
    "human_request": (54, 2, 0),
    "payment_dispute": (47, 3, 1),
    "public_complaint": (43, 0, 8),
    "repeated_contact": (54, 1, 3),
    "team_blocked": (51, 0, 1),
}
"""(tp, fp, fn) per trigger on triggers-test8.jsonl after round 10, which read its false hits and ruled out the calm
mentions among them (a post the customer was about to write and did not, a former client's posts, a press release,
alternatives evaluated years ago, people's access removed), trained the model on it and chose the thresholds
leave-one-author-out with it: development floors, not a held-out estimate (round 9 measured it blind: recall 0.75 to
0.94, precision below 0.9 for `competitor_switch`, `data_loss` and `public_complaint`)."""


TEST9_MEASURED = {
    "account_compromise": (41, 0, 8),
    "cancellation_refund": (43, 4, 14),
    "competitor_switch": (35, 1, 11),
    "data_loss": (37, 2, 12),
    "human_request": (40, 1, 8),
    "payment_dispute": (41, 1, 7),
    "public_complaint": (29, 1, 18),
    "repeated_contact": (42, 0, 10),
    "team_blocked": (38, 0, 8),
}
"""(tp, fp, fn) per trigger on triggers-test9.jsonl (587 messages by a ninth author), measured blind once after round
10 was closed (docs/decision.md, "Round 10": recall 0.62 to 0.85, none of nine at 0.9; precision >= 0.915 for all
nine). Round 11 read its misses and false hits and ruled out calm mentions among them (a lawyer asking for a
document, the business's own ombudsman membership, a chargeback told as history), which moved none of the nine;
the shipped model is still round 10's (trained without it): development floors, the same figures."""


TEST10_MEASURED = {
    "account_compromise": (40, 3, 9),
    "cancellation_refund": (41, 4, 5),
    "competitor_switch": (31, 3, 16),
    "data_loss": (37, 3, 9),
    "human_request": (42, 2, 7),
    "payment_dispute": (40, 4, 7),
    "public_complaint": (42, 2, 12),
    "repeated_contact": (43, 3, 8),
    "team_blocked": (40, 1, 7),
}
"""(tp, fp, fn) per trigger on triggers-test10.jsonl (640 messages by a tenth author), measured blind once after round
11 was closed (docs/decision.md, "Round 11": recall 0.60 to 0.89, none of nine at 0.9; precision 0.881 for `data_loss`
and 0.891 for `cancellation_refund`). Round 12 read its misses and false hits and ruled out calm mentions among the
false hits in general words (a refund already received, a hack told as history, data erased as the customer asked, a
complaint the customer was going to make, a solicitor handling a sale): precision >= 0.903 for all nine, the recalls
unchanged; round 13's patterns for families of misses in several authors' sets (a trade or licensing body, the press,
counsel, other languages' rivals) and the wider gates: `competitor_switch` 28 -> 31, `public_complaint` 36 -> 42 true
hits, no new false hit. The shipped model is still round 10's (trained without it): development floors."""


TEST11_MEASURED = {
    "account_compromise": (41, 3, 5),
    "cancellation_refund": (48, 0, 3),
    "competitor_switch": (44, 3, 6),
    "data_loss": (41, 1, 6),
    "human_request": (45, 0, 2),
    "payment_dispute": (45, 2, 2),
    "public_complaint": (45, 4, 4),
    "repeated_contact": (41, 1, 7),
    "team_blocked": (39, 0, 5),
}
"""(tp, fp, fn) per trigger on triggers-test11.jsonl (624 messages by an eleventh author), measured blind once after
round 12 was closed (docs/decision.md, "Round 12": recall 0.755 to 0.957, three of nine at 0.9; precision >= 0.902 for
all nine). Round 13 read its misses and false hits by family and added it to leave-one-author-out; the patterns for
families in several authors' sets raised `public_complaint` 37 -> 45 (a body in the customer's language, the Care
Quality Commission, the local paper, counsel), no new false hit. Development floors."""


TEST12_MEASURED = {
    "account_compromise": (44, 3, 1),
    "cancellation_refund": (44, 1, 5),
    "competitor_switch": (37, 3, 8),
    "data_loss": (46, 4, 0),
    "human_request": (46, 2, 0),
    "payment_dispute": (43, 4, 2),
    "public_complaint": (43, 1, 3),
    "repeated_contact": (45, 2, 1),
    "team_blocked": (42, 0, 3),
}
"""(tp, fp, fn) per trigger on triggers-test12.jsonl (601 messages by a twelfth author), measured blind once after
round 13 was closed (docs/decision.md, "Round 13": recall 0.804 to 0.935, three of nine at 0.9; precision >= 0.909 for
all nine). Round 14 read its misses and false hits by family and added it to leave-one-author-out; the patterns for
families in several authors' sets (other languages, the bank already acting, a consumer programme or an MP, settings
reset to defaults, several tickets raised) raised its recall to 0.822-1.000 with no new false hit. Development
floors."""


TEST13_MEASURED = {
    "account_compromise": (40, 1, 5),
    "cancellation_refund": (45, 4, 4),
    "competitor_switch": (35, 5, 11),
    "data_loss": (36, 1, 10),
    "human_request": (39, 1, 7),
    "payment_dispute": (42, 3, 3),
    "public_complaint": (41, 3, 5),
    "repeated_contact": (35, 1, 11),
    "team_blocked": (38, 1, 8),
}
"""(tp, fp, fn) per trigger on triggers-test13.jsonl (599 messages by a thirteenth author, held out), measured once after
round 14 was closed (docs/decision.md, "Round 14"): recall 0.761 to 0.933, two of nine at both targets
(`cancellation_refund`, `payment_dispute`); precision 0.875 for `competitor_switch`, >= 0.918 for the eight others.
With the code of round 14's start: the same but `account_compromise` (39, 1, 6) and `public_complaint` (40, 3, 6).
Floors."""
TEST13_RECALL_MISSED = {
    "account_compromise",
    "competitor_switch",
    "data_loss",
    "human_request",
    "public_complaint",
    "repeated_contact",
    "team_blocked",
}
TEST13_PRECISION_MISSED = {"competitor_switch"}

TEST14_MEASURED = {
    "account_compromise": (37, 2, 7),
    "cancellation_refund": (36, 3, 12),
    "competitor_switch": (32, 9, 15),
    "data_loss": (39, 0, 8),
    "human_request": (40, 0, 8),
    "payment_dispute": (35, 0, 9),
    "public_complaint": (39, 3, 9),
    "repeated_contact": (34, 2, 15),
    "team_blocked": (34, 0, 10),
}
"""(tp, fp, fn) per trigger on triggers-test14.jsonl (594 messages by a fourteenth author, held out: small businesses
and public services, a third with the trigger implied, hard negatives that name a competitor, a bank or a refund),
measured with the code of the session's start and at the end of the twenty-fifth conversation set's round
(docs/decision.md, "Round 14", the fourteenth author): recall 0.681 to 0.841, none of nine at both targets; precision
0.780 for `competitor_switch`, >= 0.921 for the eight others. At the session's start the same but
`cancellation_refund` (35, 3, 13). Floors."""
TEST14_RECALL_MISSED = set(TEST14_MEASURED)
TEST14_PRECISION_MISSED = {"competitor_switch"}

HELD_OUT: dict[str, tuple[dict[str, tuple[int, int, int]], set[str], set[str]]] = {
    "triggers-test13.jsonl": (TEST13_MEASURED, TEST13_RECALL_MISSED, TEST13_PRECISION_MISSED),
    "triggers-test14.jsonl": (TEST14_MEASURED, TEST14_RECALL_MISSED, TEST14_PRECISION_MISSED),
}
"""The held-out authors' sets (never read, tuned or trained on): (tp, fp, fn) floors as measured, and the triggers
that missed the recall and the precision targets there (strict xfails)."""


@functools.cache
def authors_held_out_report(name: str) -> Any:
    return evaluate(read(LABELLED / name), load_default(), load_reader())


def _held_out_cases(which: int, target: str) -> list[Any]:
    return [
        pytest.param(
            name,
            code,
            marks=pytest.mark.xfail(
                strict=True, reason=f"{name} {target} below 0.9 as measured held out (docs/decision.md)"
            ),
        )
        if code in HELD_OUT[name][which]
        else (name, code)
        for name in HELD_OUT
        for code in sorted(TRIGGERS)
    ]


@pytest.mark.parametrize(("name", "code"), [(name, code) for name in HELD_OUT for code in sorted(TRIGGERS)])
def test_the_held_out_authors_sets_do_not_regress(name: str, code: str) -> None:
    assert_at_least_as_measured(authors_held_out_report(name), HELD_OUT[name][0], code)


@pytest.mark.parametrize(("name", "code"), _held_out_cases(1, "recall"))
def test_the_held_out_authors_sets_meet_the_recall_target(name: str, code: str) -> None:
    count = authors_held_out_report(name).counts[code]
    assert count.recall is not None and count.recall >= 0.9, (code, count)


@pytest.mark.parametrize(("name", "code"), _held_out_cases(2, "precision"))
def test_the_held_out_authors_sets_meet_the_precision_target(name: str, code: str) -> None:
    count = authors_held_out_report(name).counts[code]
    assert count.precision is not None and count.precision >= 0.9, (code, count)


TEST3_MEASURED = {
    "account_compromise": (48, 1, 0),
    "cancellation_refund": (48, 1, 0),
    "competitor_switch": (45, 1, 1),
    "data_loss": (49, 1, 0),
    "human_request": (51, 1, 0),
    "payment_dispute": (45, 3, 0),
    "public_complaint": (48, 1, 0),
    "repeated_contact": (50, 0, 1),
    "team_blocked": (49, 2, 0),
}
"""(tp, fp, fn) per trigger on triggers-test3.jsonl after round 5, which tuned the patterns on it and trained the
model on it: development floors, not a held-out estimate (round 4 measured it blind: recall 0.42 to 0.81)."""

DEVELOPMENT_FLOORS: dict[str, tuple[dict[str, tuple[int, int, int]], bool]] = {
    "triggers-test3.jsonl": (TEST3_MEASURED, False),
    "triggers-test4.jsonl": (TEST4_MEASURED, False),
    "triggers-test5.jsonl": (TEST5_MEASURED, False),
    "triggers-test6.jsonl": (TEST6_MEASURED, False),
    "triggers-test7.jsonl": (TEST7_MEASURED, False),
    "triggers-test8.jsonl": (TEST8_MEASURED, True),
    "triggers-test9.jsonl": (TEST9_MEASURED, True),
    "triggers-test10.jsonl": (TEST10_MEASURED, True),
    "triggers-test11.jsonl": (TEST11_MEASURED, True),
    "triggers-test12.jsonl": (TEST12_MEASURED, True),
}
"""Each development author's set: its (tp, fp, fn) floors, and whether every trigger's precision also stays >= 0.9
on it (from the eighth author on)."""


@functools.cache
def development_report(name: str) -> Any:
    return evaluate(read(LABELLED / name), load_default(), load_reader())


@pytest.mark.parametrize(
    ("name", "code"), [(name, code) for name in DEVELOPMENT_FLOORS for code in sorted(TRIGGERS)]
)
def test_each_development_authors_set_stays_learnt(name: str, code: str) -> None:
    measured, precise = DEVELOPMENT_FLOORS[name]
    report = development_report(name)
    assert_at_least_as_measured(report, measured, code)
    if precise:
        assert report.counts[code].precision >= 0.9, code


def test_calm_support_messages_rarely_trip_a_guardrail() -> None:
    # Every guardrail escalates: on calm messages it is a false escalation (a few are right: "none of our team can
    # log into the app"). docs/decision.md: 42 of 1,514 (2.8%) when the key-word gate shipped; 41 after round 4, 40 after
    # rounds 5, 6 and 7, 39 after round 8, 40 after round 9, 39 after rounds 10, 11, 12 and 13.
    from bench.calm_guardrails import calm_messages, tripped

    assert len(calm_messages()) == 1514
    assert len(tripped()) <= 40


def test_the_development_sets_stay_precise() -> None:
    # Round 2 tuned on both: precision >= 0.95 there, so a pattern that fires on calm mentions shows up here.
    rows = read(LABELLED / "triggers-dev.jsonl") + read(LABELLED / "triggers-test.jsonl")
    report = evaluate(rows, load_default())
    for code in TRIGGERS:
        count = report.counts[code]
        assert count.precision is not None and count.precision >= 0.95, (code, count)
        assert count.recall is not None and count.recall >= 0.95, (code, count)


def texts_of(*names: str) -> set[str]:
    return {text for name in names for text, _ in read(LABELLED / name)}


TRAINING = (
    "triggers-dev.jsonl",
    "triggers-test.jsonl",
    "triggers-train-extra.jsonl",
    "triggers-train-extra2.jsonl",
    "triggers-test3.jsonl",
    "triggers-train-extra3.jsonl",
    "triggers-test4.jsonl",
    "triggers-train-extra4.jsonl",
    "triggers-test5.jsonl",
    "triggers-train-extra5.jsonl",
    "triggers-test6.jsonl",
    "triggers-train-extra6.jsonl",
    "triggers-test7.jsonl",
    "triggers-train-extra7.jsonl",
    "triggers-test8.jsonl",
)
"""What `baton train triggers` reads (the shipped trigger model's data, with a Bitext draw: `--bitext`)."""
TEST5_IN_TRAINING = 8
"""Messages of triggers-test5.jsonl found word for word in the training files written before it, counted at its one
blind evaluation (four in test4, two in test3, one each in triggers-test and triggers-train-extra4, which was written before
test5 was opened); without them its recalls move by at most 0.02 (docs/decision.md)."""
TEST6_IN_TRAINING = 11
"""Messages of triggers-test6.jsonl found word for word in the training files written before it, counted at its one
blind evaluation (six in test3, five in test4, two in test5, one each in extra3 and extra4; 11 distinct); none in
round 7's triggers-train-extra5.jsonl."""
TEST7_IN_TRAINING = 9
"""Messages of triggers-test7.jsonl found word for word in the training files written before it, counted at its one
blind evaluation (two each in test3, test4, test5 and extra5, three in test6; 9 distinct); none in round 8's
triggers-train-extra6.jsonl."""
TEST8_IN_TRAINING = 10
"""Messages of triggers-test8.jsonl found word for word in the training files written before it, counted at its one
blind evaluation (four in test5, two each in test3, test4, test7 and extra4, one each in test6 and extra3; 10
distinct): written before test8 was opened or by other authors; none in round 9's triggers-train-extra7.jsonl."""
TEST9_IN_TRAINING = 16
"""Messages of triggers-test9.jsonl found word for word in the training files, counted at its one blind
evaluation (six in test3, five in test4, four in test5, three in test7, two each in test6, test8 and extra5, one
each in triggers-test, extra3 and extra6; 16 distinct): written before test9 was opened or by other authors."""
TEST10_IN_TRAINING = 15
"""Messages of the held-out triggers-test10.jsonl found word for word in the training files or test9, counted at its
one evaluation (seven in test9, four each in test4 and test6, three in test5, two each in test3 and extra5, one in
test7; 15 distinct): written before test10 was opened or by other authors."""
TEST11_IN_TRAINING = 14
"""Messages of the held-out triggers-test11.jsonl found word for word in the training files, test9 or test10, counted
at its one evaluation (seven in test3, four each in test4 and test6, three each in test7, test9 and test10, one each
in triggers-dev, test5 and test8; 14 distinct): written before test11 was opened or by other authors."""
TEST12_IN_TRAINING = 13
"""Messages of triggers-test12.jsonl found word for word in the training files or test9 to test11, counted
at its one evaluation (four in test3, three each in test5, test6, test10 and test11, two each in test4 and test9, one
each in test7 and test8; 13 distinct; none in test2): written before test12 was opened or by other authors."""
TEST13_IN_TRAINING = 8
"""Messages of the held-out triggers-test13.jsonl found word for word in the training files or test9 to test12, counted
at its one evaluation (three in test11, two each in test5 and test12, one each in triggers-test, test3, test6 and test9;
8 distinct; none in test2): written before test13 was opened or by other authors."""
TEST4_IN_EARLIER_TRAINING = 11
"""Messages of triggers-test4.jsonl found word for word in the training files written before it, counted at its one
blind evaluation (nine in test3, two in dev and test); without them its figures barely moved (docs/decision.md)."""


def test_the_labelled_sets_do_not_share_messages_or_quote_the_issue() -> None:
    # Counts only, gathered before any assertion: pytest's report of a failing `len(a & b)` prints the sets.
    test3 = texts_of("triggers-test3.jsonl")
    hand_written = texts_of(
        "triggers-train-extra.jsonl",
        "triggers-train-extra2.jsonl",
        "triggers-train-extra3.jsonl",
        "triggers-train-extra4.jsonl",
    )
    issue = {
        "I want to cancel my subscription and get a refund now.",
        "I'm going to report you to my bank and dispute the charge.",
        "After yesterday's update all our projects from last month are gone.",
    }
    counts = {
        "dev & test": len(texts_of("triggers-dev.jsonl") & texts_of("triggers-test.jsonl")),
        # Written blind after round 3, development since round 5: three of test3's messages are word for word in
        # the round-1 sets (dev, test) and two in test2; the hand-written training files share none.
        "test3 & hand-written": len(test3 & hand_written),
        "test3 & dev, test": len(test3 & texts_of("triggers-dev.jsonl", "triggers-test.jsonl")),
        "issue & dev, test": len(issue & texts_of("triggers-dev.jsonl", "triggers-test.jsonl")),
    }
    others_sets = (
        "triggers-test3.jsonl",
        "triggers-test4.jsonl",
        "triggers-test6.jsonl",
        "triggers-test7.jsonl",
    )
    if held_out().name == "triggers-test2.jsonl":
        test2 = texts_of("triggers-test2.jsonl")
        counts["test2 & training but test3, test4, test6, test7"] = len(
            test2 & texts_of(*(n for n in TRAINING if n not in others_sets))
        )
        # Other authors' sets, training since rounds 5, 6, 8 and 9, share a few of test2's messages word for word.
        counts["test2 & test3"] = len(test2 & test3)
        counts["test2 & test4"] = len(test2 & texts_of("triggers-test4.jsonl"))
        counts["test2 & test6"] = len(test2 & texts_of("triggers-test6.jsonl"))
        counts["test2 & test7"] = len(test2 & texts_of("triggers-test7.jsonl"))
    # The fourth author's set, held out in round 5, development since round 6.
    test4 = texts_of("triggers-test4.jsonl")
    counts["test4 & earlier training"] = len(
        test4 & texts_of(*TRAINING[: TRAINING.index("triggers-test4.jsonl")])
    )
    counts["test4 & hand-written"] = len(test4 & hand_written)
    # The fifth author's set, held out in round 6, development since round 7.
    counts["test5 & earlier training"] = len(
        texts_of("triggers-test5.jsonl") & texts_of(*TRAINING[: TRAINING.index("triggers-test5.jsonl")])
    )
    # Round 7's hand-written lines repeat no other author's message.
    # The sixth author's set, held out in round 7.
    # The sixth author's set, held out in round 7, development since round 8.
    counts["test6 & earlier training"] = len(
        texts_of("triggers-test6.jsonl") & texts_of(*TRAINING[: TRAINING.index("triggers-test6.jsonl")])
    )
    counts["extra5 & other authors"] = len(
        texts_of("triggers-train-extra5.jsonl")
        & texts_of(*(f"triggers-test{n}.jsonl" for n in (3, 4, 5, 6)), held_out().name)
    )
    # The seventh author's set, held out in round 8, development since round 9; round 8's hand-written lines repeat
    # no other author's message.
    counts["test7 & earlier training"] = len(
        texts_of("triggers-test7.jsonl") & texts_of(*TRAINING[: TRAINING.index("triggers-test7.jsonl")])
    )
    # The eighth author's set, held out in round 9, development since round 10; round 9's hand-written lines repeat no
    # other author's message.
    counts["test8 & earlier training"] = len(
        texts_of("triggers-test8.jsonl") & texts_of(*TRAINING[: TRAINING.index("triggers-test8.jsonl")])
    )
    # The ninth author's set, held out in round 10, development since round 11 (read; the shipped model is still
    # round 10's, trained without it).
    counts["test9 & training"] = len(texts_of("triggers-test9.jsonl") & texts_of(*TRAINING))
    # The tenth author's set, held out in round 11, development since round 12 (read; the shipped model is still
    # round 10's, trained without it).
    counts["test10 & training, test9"] = len(
        texts_of("triggers-test10.jsonl") & texts_of(*TRAINING, "triggers-test9.jsonl")
    )
    # The eleventh author's set, held out in round 12, development since round 13 (read; not in the shipped model's
    # training).
    counts["test11 & training, test9, test10"] = len(
        texts_of("triggers-test11.jsonl")
        & texts_of(*TRAINING, "triggers-test9.jsonl", "triggers-test10.jsonl")
    )
    # The twelfth author's set, held out in round 13, development since round 14 (read; not in the shipped model's
    # training).
    counts["test12 & training, test9 to test11"] = len(
        texts_of("triggers-test12.jsonl")
        & texts_of(*TRAINING, *(f"triggers-test{n}.jsonl" for n in (9, 10, 11)))
    )
    # The thirteenth author's set, held out in round 14.
    counts["test13 & training, test9 to test12"] = len(
        texts_of("triggers-test13.jsonl")
        & texts_of(*TRAINING, *(f"triggers-test{n}.jsonl" for n in (9, 10, 11, 12)))
    )
    counts["extra7 & other authors"] = len(
        texts_of("triggers-train-extra7.jsonl")
        & texts_of(*(f"triggers-test{n}.jsonl" for n in (3, 4, 5, 6, 7, 8)), held_out().name)
    )
    counts["extra6 & other authors"] = len(
        texts_of("triggers-train-extra6.jsonl")
        & texts_of(*(f"triggers-test{n}.jsonl" for n in (3, 4, 5, 6, 7)), held_out().name)
    )
    assert counts == {
        "dev & test": 0,
        "test3 & hand-written": 0,
        "test3 & dev, test": counts["test3 & dev, test"] if counts["test3 & dev, test"] <= 3 else "<= 3",
        "issue & dev, test": 0,
        **(
            {
                "test2 & training but test3, test4, test6, test7": 0,
                "test2 & test3": min(counts["test2 & test3"], 2),
                "test2 & test4": min(counts["test2 & test4"], 6),
                "test2 & test6": min(counts["test2 & test6"], 1),
                "test2 & test7": min(counts["test2 & test7"], 1),
            }
            if "test2 & test3" in counts
            else {}
        ),
        "test4 & earlier training": TEST4_IN_EARLIER_TRAINING,
        "test4 & hand-written": 0,
        "test5 & earlier training": TEST5_IN_TRAINING,
        "test6 & earlier training": TEST6_IN_TRAINING,
        "extra5 & other authors": 0,
        "test7 & earlier training": TEST7_IN_TRAINING,
        "extra6 & other authors": 0,
        "test8 & earlier training": TEST8_IN_TRAINING,
        "test9 & training": TEST9_IN_TRAINING,
        "test10 & training, test9": TEST10_IN_TRAINING,
        "test11 & training, test9, test10": TEST11_IN_TRAINING,
        "test12 & training, test9 to test11": TEST12_IN_TRAINING,
        "test13 & training, test9 to test12": TEST13_IN_TRAINING,
        "extra7 & other authors": 0,
    }


def test_baton_eval_triggers_prints_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["eval", "triggers", str(LABELLED / "triggers-dev.jsonl")]) == 0
    out = capsys.readouterr().out
    assert "precision" in out and "recall" in out
    assert any(line.startswith("cancellation_refund") for line in out.splitlines())


# ---------------------------------------------------------------------------------------------- parameters


def test_the_triggers_are_data_in_the_parameters() -> None:
    document = json.loads(default_path().read_text(encoding="utf-8"))
    assert set(TRIGGERS) - {"human_request"} <= set(document["guardrails"]["patterns"])
    document["guardrails"]["patterns"] = {"competitor_switch": [r"\bacme desk\b"]}
    params = DecisionParams.model_validate(document)
    assert guardrail_matches("We are moving to Acme Desk.", params)[0][0] == "competitor_switch"
    assert guardrail_matches("We are not moving to Acme Desk.", params) == []
    document["guardrails"]["negation"] = {"cues": []}
    params = DecisionParams.model_validate(document)
    assert guardrail_matches("We are not moving to Acme Desk.", params)[0][0] == "competitor_switch"


def test_a_bad_pattern_is_named() -> None:
    document = json.loads(default_path().read_text(encoding="utf-8"))
    document["guardrails"]["patterns"]["data_loss"] = ["ok", "(?:gone"]
    with pytest.raises(InvalidParams, match=r"guardrails.*data_loss\[1\] '\(\?:gone' is not a valid regular"):
        DecisionParams.model_validate(document)
    document = json.loads(default_path().read_text(encoding="utf-8"))
    document["guardrails"]["negation"]["cues"] = ["not", "[no"]
    with pytest.raises(InvalidParams, match=r"guardrails.negation.cues.*cues\[1\] '\[no' is not a valid"):
        DecisionParams.model_validate(document)
    document = json.loads(default_path().read_text(encoding="utf-8"))
    document["guardrails"]["patterns"]["data_loss"] = [r"\b<<nouns>> gone"]
    with pytest.raises(
        InvalidParams, match=r"data_loss\[0\] uses <<nouns>>, which guardrails.terms does not define"
    ):
        DecisionParams.model_validate(document)


def test_the_shipped_version_fingerprints_what_the_engine_reads() -> None:
    params = load_default()
    assert params.version.endswith("-" + fingerprint(params))
    assert restamp(params) == params
    edited = params.model_copy(
        update={"guardrails": params.guardrails.model_copy(update={"human_request": False})}
    )
    assert restamp(edited).version != params.version


def test_the_shipped_guardrails_stay_out_of_the_parameter_store_document() -> None:
    value = json.loads(deployable(default_path().read_text(encoding="utf-8")))
    assert "guardrails" not in value  # the engine's defaults: the same release fills them in
    document = json.loads(default_path().read_text(encoding="utf-8"))
    document["guardrails"]["patterns"] = {"legal_threat": [r"\bmy attorney\b"]}
    assert json.loads(deployable(json.dumps(document)))["guardrails"]["patterns"] == {
        "legal_threat": [r"\bmy attorney\b"]
    }


# ---------------------------------------------------------------------------------------------- training options


def test_a_triggers_own_lowest_threshold_is_read_and_a_bad_one_named() -> None:
    from baton.training.triggers import min_thresholds

    codes = ("repeated_contact", "team_blocked")
    assert min_thresholds(["team_blocked=0.8"], codes) == {"team_blocked": 0.8}
    with pytest.raises(SystemExit, match="expected CODE=T"):
        min_thresholds(["team_blocked"], codes)
    with pytest.raises(SystemExit, match="no head for 'data_los'"):
        min_thresholds(["data_los=0.8"], codes)
    with pytest.raises(SystemExit, match="between 0 and 1"):
        min_thresholds(["team_blocked=1.5"], codes)


def test_weighting_a_heads_positives_makes_it_say_yes_more_and_a_bad_weight_is_named(tmp_path: Path) -> None:
    import numpy as np

    from baton.training.triggers import build_parser, fit_heads, probs_of, run

    # Round 9 weighs each head's positives (3x, chosen leave-one-author-out): the same data, a higher probability
    # for a positive the head has not seen.
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 5))
    y = (x[:, :1] + rng.normal(scale=1.5, size=(200, 1)) > 1.2).astype(int)
    plain, weighted = fit_heads(x, y, 1.0, 0), fit_heads(x, y, 1.0, 0, positive_weight=3.0)
    unseen = np.array([[1.5, 0.0, 0.0, 0.0, 0.0]])
    assert probs_of(unseen, *weighted)[0, 0] > probs_of(unseen, *plain)[0, 0]
    data = tmp_path / "rows.jsonl"
    data.write_text('{"text": "cancel and refund", "triggers": ["cancellation_refund"]}\n', encoding="utf-8")
    args = build_parser().parse_args(["--data", str(data), "--out", str(tmp_path), "--positive-weight", "0"])
    with pytest.raises(SystemExit, match=r"--positive-weight 0\.0: must be above 0"):
        run(args)


def test_the_bitext_draw_labels_requests_for_a_person_and_keeps_the_rest_calm(tmp_path: Path) -> None:
    from baton.training.triggers import BITEXT_FILE, bitext_rows

    (tmp_path / BITEXT_FILE).write_text(
        "\ufeffflags,utterance,category,intent\n"
        "B,I want to talk to a live agent,CONTACT,contact_human_agent\n"
        "B,what is your refund policy?,REFUND,check_refund_policy\n"
        "B,track my order 123,ORDER,track_order\n"
        "B,I want to file a complaint,FEEDBACK,complaint\n",
        encoding="utf-8",
    )
    rows = dict(bitext_rows(tmp_path, seed=0))
    assert rows == {
        "I want to talk to a live agent": {"human_request"},
        "what is your refund policy?": set(),
        "track my order 123": set(),
    }
    with pytest.raises(SystemExit, match="no Bitext_Sample"):
        bitext_rows(tmp_path / "missing", seed=0)
