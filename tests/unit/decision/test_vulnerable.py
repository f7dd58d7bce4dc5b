"""The `vulnerable_customer` guardrail: a customer a support lead puts first whatever the mood of the words, an
essential service off where someone depends on it, health or safety at stake now (a wrong medicine given,
something poisonous swallowed, an allergen eaten, water on the electrics, failing brakes, a protective order), or a
customer stranded away from home. Calm messages in the
same words (a medical-equipment shop, a baby-monitor app, a checkout page, a parcel left at reception) never
trip it."""

from __future__ import annotations

import pytest

from baton.decision.engine import guardrail_matches
from baton.decision.params import load_default

PARAMS = load_default()


def tripped(text: str) -> list[str]:
    return [name for name, _ in guardrail_matches(text, PARAMS)]


@pytest.mark.parametrize(
    "text",
    [
        "My mum relies on a dialysis machine at home and you've disconnected our electricity.",
        "they shut off the gas and we have a newborn",
        "No hot water since Friday and my husband is disabled.",
        "my dad is 91 and your engineer left the heating switched off, he's elderly",
        "It's midnight with a toddler and the heating has been off since the afternoon.",
        "We're stranded at Frankfurt airport, the app cancelled our connection and no one answers.",
        "I'm stuck at the border and my card is blocked, I have no money to pay for fuel.",
        "we're stuck abroad, the return flight doesn't exist in your system",
        "The booking vanished and we have nowhere to sleep tonight.",
        "there's a gas smell in our basement since this afternoon and it's getting stronger",
        "my carbon monoxide alarm keeps going off",
        "my son was injured when the rear brake failed",
        "My father is on a home oxygen concentrator and its battery has about an hour left.",
        "The tutor my 13 year old had today asked her for her personal Instagram and phone number",
        "i have a client meeting in 20 minutes and im standing outside in the rain",
        "They say they're overbooked. Where are we supposed to sleep?",
        "I'm at the hotel with my two kids, it's 11pm and they have no room for us",
    ],
)
def test_a_customer_in_need_is_put_first(text: str) -> None:
    assert "vulnerable_customer" in tripped(text)


@pytest.mark.parametrize(
    "text",
    [
        "I'm stuck at the checkout page, the promo code doesn't apply",
        "the parcel was left at the reception",
        "Do you ship medical equipment to Canada?",
        "I use an insulin pump, does your app support it?",
        "How do I switch off the water heater schedule in the app?",
        "Can I pause my gas plan while I'm abroad?",
        "My baby monitor app won't connect to wifi",
        "how do I add my elderly mother as a second account holder?",
        "the off-peak water rate is wrong on my bill, I have a baby on the way and budget matters",
        "I'm stuck on the login screen",
        "we're not stranded, the hotel found our booking after all, thanks",
        "no gas smell anymore, thanks",
        "how do I report a workplace injury in the HR app?",
        "does the gas plan include a leak check?",
        "is the concentrator battery covered by warranty?",
        "my 15 year old wants to add her phone number to her profile, is that ok?",
    ],
)
def test_the_same_words_in_calm_messages_trip_nothing(text: str) -> None:
    assert "vulnerable_customer" not in tripped(text)


@pytest.mark.parametrize(
    "text",
    [
        "The pharmacy gave my mother the wrong dosage, she has taken two already.",
        "I think the wrong strength was dispensed, the box says 100 mg and she was prescribed 50.",
        "My husband took the wrong tablets from your delivery this morning.",
        "our puppy chewed a pack of gum with xylitol twenty minutes ago",
        "My toddler swallowed one of the batteries from the toy you sent.",
        "She had an allergic reaction at the after-school club and needed her EpiPen.",
        "He has a peanut allergy and was given a cookie made with peanuts at lunch today.",
        "My dog is having a seizure and the video vet link doesn't load.",
        "He has one dose left for tomorrow and the refill went to another pharmacy. He's epileptic.",
        "Water is leaking from the flat above straight onto the fuse box.",
        "The brakes are grinding since your garage replaced the pads, is it safe to drive?",
        "There is a restraining order against him and he is still on the pickup list.",
        "I have a court order that says he is not allowed to pick up our daughter.",
        "It's been 5 days and I have two tablets of lamotrigine left.",
        "I have about a day and a half of insulin left and can't get into the building.",
        "You sent me metoprolol instead of metformin. I almost took one this morning.",
        "Since the power cut my mum's emergency pendant shows a red light and nothing came through when she tested it.",
    ],
)
def test_health_and_safety_now_is_put_first(text: str) -> None:
    assert "vulnerable_customer" in tripped(text)


@pytest.mark.parametrize(
    "text",
    [
        "Does this granola contain nuts? My son has a nut allergy.",
        "Can I note my daughter's gluten allergy in her profile?",
        "How long is the repeat prescription valid?",
        "What is the right dose of the flea treatment for a 10 kg dog?",
        "Which dosage strengths do you stock for metformin?",
        "The wrong size was delivered, can I exchange it?",
        "Is it safe to use the app on public wifi?",
        "How much does a brake inspection cost?",
        "Do you sell surge-protected outlets?",
        "I need to upload a court order for my name change.",
        "Is xylitol-free gum available?",
        "My dog has seizures, which food do you recommend?",
        "How many days of free trial do I have left?",
        "You sent the blue one instead of the red one, can I swap it?",
        "Does the emergency pendant work abroad?",
        "We offer a poison-free pest control plan, can I list it on your marketplace?",
    ],
)
def test_questions_about_medicines_allergies_and_repairs_trip_nothing(text: str) -> None:
    assert "vulnerable_customer" not in tripped(text)


@pytest.mark.parametrize(
    "text",
    [
        "My son Daniel passed away three weeks ago. He had a loan with you and the letters keep coming.",
        "My husband died last month and I need to close his account.",
        "I'm writing about the death of my mother, the account is in her name.",
        "A man from another company keeps following me into the kitchen. I don't feel safe coming in.",
        "One of your drivers has been harassing me with messages since the delivery.",
        "The battery on the e-bike I bought from you in May has started to bulge at one end and it got really hot.",
        "The scooter's battery is swollen and smells of burning.",
        "There are used needles dumped behind the climbing frame at the playground.",
        "My 14-year-old daughter's tutor asked for her personal Instagram and said they could talk outside the "
        "platform.",
        "Our dog Max died at home the night after his dental surgery at your clinic.",
        "My father is 88 and lives alone. His thermostat is offline and his house is 12 degrees this morning.",
        "The driver on my ride 20 minutes ago smelled strongly of alcohol and was swerving on the road.",
        "great job cancelling my flight with 2 hours notice, stuck in Denver with 2 kids and no hotel",
        "a man from your fraud department called and said I must move my savings to a safe account today",
        "the car just died on the interstate, we're on the shoulder, it's dark",
        "I need to cancel, my father is in hospital. He might not make it.",
        "that was all my money until payday, I can't buy food for my kids this week",
        "Within 72 hours? So if I fall I cannot press the alarm until then? I don't have a mobile phone.",
        "My mum lives on her own and if she has a fall nobody will know while the line is down.",
        "I was in hospital for most of May for a mental health crisis and missed the interview date.",
        "He was sectioned in March, which is why the payments stopped.",
        "Since last week there is a court order that my ex-husband may not have information about our daughter.",
        "bike #40217 had almost no front brake this morning, I went down on Hill St.",
        "Both my kids came out of it with a red rash on their legs though.",
        "She's 87 and can't do the injection herself. I'm at work two hours away.",
        "He had his last tablet this morning. He's hyperthyroid, he can't just go without.",
        "my lab just ate about half a bunch of grapes off the counter 10 min ago. what do i do",
        "Planned works on our road tomorrow from 8am. I do home haemodialysis and my machine needs a water supply.",
        "I've been diagnosed with breast cancer and will be in chemotherapy during our September date.",
    ],
)
def test_a_death_an_unsafe_customer_a_swelling_battery_and_dumped_needles_are_put_first(text: str) -> None:
    assert "vulnerable_customer" in tripped(text)


@pytest.mark.parametrize(
    "text",
    [
        "My phone battery died halfway through the checkout, did the order go through?",
        "How long does the battery last on the e-bike?",
        "The battery is at 20%, is that normal after a night?",
        "Can I order a sharps bin for my insulin needles?",
        "Do you offer bereavement fares?",
        "My plant died, can I get a replacement under the guarantee?",
        "Is it safe to pay by bank transfer?",
        "My dog loves the new food, can I order it monthly?",
        "My grandmother is 91 and wants to set the heating to 21 degrees from her tablet.",
        "The room is 12 degrees warmer than the setting, is the sensor off?",
        "Can I become a driver if I had a drink-driving fine ten years ago?",
        "Do you have family rooms for 2 kids in Denver?",
        "How do I open a savings account, is it safe?",
        "I might not make it to the appointment on Friday, can I move it?",
        "Can I pay the rest of my order on payday?",
        "If the price falls next week, do I get the difference back?",
        "Do you cover mental health days in the employee wellbeing plan?",
        "What happens if my order falls below the minimum?",
        "Can I upload a court order as proof of address, or can't you accept those?",
        "Which of your creams is best for nappy rash?",
        "How often should the brake pads be changed?",
        "The server went down at 9 and came back at 9:05, is that on your status page?",
        "Can my dog have the chocolate-flavoured chews, or is that a bad idea?",
        "Is there planned maintenance on the app tonight?",
        "How do I take the last dose of the course if I'm travelling?",
    ],
)
def test_batteries_needles_and_deaths_in_passing_trip_nothing(text: str) -> None:
    assert "vulnerable_customer" not in tripped(text)


def test_it_is_reported_before_the_triggers_and_named_for_people() -> None:
    from baton.decision.engine import _GUARDRAIL_LABELS, GUARDRAIL_ORDER

    assert GUARDRAIL_ORDER.index("vulnerable_customer") < GUARDRAIL_ORDER.index("data_loss")
    assert _GUARDRAIL_LABELS["vulnerable_customer"] == "Customer vulnerable, in danger or stranded"
    assert (
        tripped("we're stranded at the airport and I want a refund and to cancel")[0] == "vulnerable_customer"
    )


def test_a_french_card_stop_is_a_payment_dispute_and_a_lost_game_save_is_lost_data() -> None:
    assert (
        tripped("Si ce n'est pas réglé cette semaine je fais opposition auprès de ma banque.")[0]
        == "payment_dispute"
    )
    assert tripped("after the 2.3 patch my save file is gone. 400+ hours")[0] == "data_loss"
    assert tripped("our save data export to csv fails") == []


@pytest.mark.parametrize(
    "text",
    [
        "I can see someone else's medical records.",
        "I logged into the patient portal and the lab results shown are for a different person.",
        "There are already two payments I didn't make, 289.99 at an electronics store",
    ],
)
def test_another_persons_records_and_payments_never_made_are_security_incidents(text: str) -> None:
    assert tripped(text)[0] in {"security_incident", "account_compromise"}
    assert "security_incident" in tripped(text)


@pytest.mark.parametrize(
    "text",
    [
        "can another user's data be seen by admins?",
        "How do I refund payments that our customers didn't make?",
    ],
)
def test_questions_about_other_peoples_data_are_not_incidents(text: str) -> None:
    assert "security_incident" not in tripped(text)


@pytest.mark.parametrize(
    "text",
    [
        "There's a diesel sheen spreading across the marina from the fuel dock and nobody is answering the phone.",
        "Chlorine is leaking from the dosing pump in the plant room, it smells awful.",
        "Sewage is pouring out of the drain in the courtyard of our building.",
        "The fire exit in the back of your studio was locked during the class.",
        "The emergency release on the ride didn't work when we pressed it.",
        "The lift doors opened between floors. Someone could have been seriously hurt.",
        "My kid could have drowned, the pool cover gave way under him.",
        "We're at the emergency vet now, the dog is on a drip.",
        "I'm in A&E with my son, he fell off the climbing frame at your centre.",
        "The camp nurse had to use her EpiPen this afternoon.",
    ],
)
def test_danger_now_a_near_miss_and_an_emergency_room_are_put_first(text: str) -> None:
    assert "vulnerable_customer" in tripped(text)


@pytest.mark.parametrize(
    "text",
    [
        "My daughter (9) has a peanut allergy and carries an EpiPen. How do I let the camp know?",
        "Do I need to pack an EpiPen for the school trip?",
        "How do I refuel the boat without a spill?",
        "Can I return an unopened tub of chlorine tablets?",
        "Where are the fire exits in the new office?",
        "Does the emergency exit button need a yearly inspection?",
        "I could have sworn I cancelled that order.",
        "Is there an emergency vet you recommend near the campsite?",
        "Our fuel card statement for October is missing a page.",
    ],
)
def test_the_same_words_in_passing_or_in_questions_trip_nothing(text: str) -> None:
    assert "vulnerable_customer" not in tripped(text)


@pytest.mark.parametrize(
    "text",
    [
        "there's a faint burning-plastic smell near the inverter in our garage",
        "The wall box makes a crackling noise and there are scorch marks around the plug.",
        "The socket behind the dryer is sparking when it starts.",
        "The charger smells like burning rubber after ten minutes.",
        "Her fall pendant shows 'not connected' in the family app since yesterday.",
        "Dad's emergency alarm button has lost its connection to the base unit.",
    ],
)
def test_something_electrical_burning_and_an_alarm_pendant_cut_off_are_put_first(text: str) -> None:
    assert "vulnerable_customer" in tripped(text)


@pytest.mark.parametrize(
    "text",
    [
        "The crackling sound in my headphones comes and goes.",
        "How far from the inverter can the battery be mounted?",
        "Is the burning smell normal when the oven is used for the first time?",
        "How do I reconnect the pendant after changing the base unit's batteries?",
    ],
)
def test_electrical_words_and_pendants_in_passing_trip_nothing(text: str) -> None:
    assert "vulnerable_customer" not in tripped(text)


@pytest.mark.parametrize(
    "text",
    [
        "honestly I don't really see the point in being here anymore and I can't wait till friday",
        "I can't see the point of living like this.",
        "everyone would be better off without me",
        "I don't want to be around anymore.",
    ],
)
def test_self_harm_told_indirectly_is_a_safety_risk(text: str) -> None:
    assert "safety_risk" in tripped(text)


@pytest.mark.parametrize(
    "text",
    [
        "Is there any point in upgrading to the Pro plan?",
        "I don't see the point in paying for two seats we never use.",
        "There's no point in being here if the app crashes every time.",
        "Honestly the team would be better off without me on this project, can you move my seat to Ana?",
    ],
)
def test_no_point_said_of_a_product_is_not_a_safety_risk(text: str) -> None:
    assert "safety_risk" not in tripped(text)


@pytest.mark.parametrize(
    "text",
    [
        "Andernfalls werde ich mich an die zuständige Datenschutzaufsichtsbehörde wenden.",
        "Sans réponse sous 30 jours, je saisirai la CNIL.",
        "Si no me contestan presentaré una reclamación ante la AEPD.",
        "Altrimenti mi rivolgerò al Garante della privacy.",
        "Anders dien ik een klacht in bij de Autoriteit Persoonsgegevens.",
    ],
)
def test_a_data_protection_authority_in_the_customers_language_is_a_legal_threat(text: str) -> None:
    assert "legal_threat" in tripped(text)


@pytest.mark.parametrize(
    "text",
    [
        # (2026-12, the eighteenth conversation author's families, in other words)
        "Water is pouring through the bathroom ceiling downstairs since your plumber left.",
        "The plaster in the hall ceiling is sagging and dripping after the tank upstairs burst.",
        "The ceiling light in the kitchen is dripping water.",
        "My new piercing is hot and swollen and there's green discharge coming out.",
        "The redness is spreading up my arm from the tattoo and I feel feverish.",
        "A coach sent my 12 year old daughter a private message on the team app.",
    ],
)
def test_water_through_a_ceiling_an_infection_and_a_child_messaged_privately_are_put_first(text: str) -> None:
    assert "vulnerable_customer" in tripped(text)


@pytest.mark.parametrize(
    "text",
    [
        "Can you quote for replacing a bathroom ceiling?",
        "There's a small water stain in the corner of the ceiling, could someone look at it next visit?",
        "Which light fittings do you sell for bathrooms?",
        "How long does a new tattoo usually stay red?",
        "Can I send my son's coach a private message through the app?",
    ],
)
def test_ceilings_lights_tattoos_and_messages_in_passing_trip_nothing(text: str) -> None:
    assert "vulnerable_customer" not in tripped(text)


@pytest.mark.parametrize(
    "text",
    [
        "I just got to the lock-up and the padlock has been cut off, half my stock is gone.",
        "Our van was broken into overnight at your car park.",
        "We've called the police, the shutter was forced open and the till is gone.",
    ],
)
def test_a_break_in_found_now_is_a_security_incident(text: str) -> None:
    assert "security_incident" in tripped(text)


@pytest.mark.parametrize(
    "text",
    [
        "Our office was broken into last year, so we'd like to add the monitored alarm plan.",
        "Do you sell padlocks that can't be cut with bolt cutters?",
        "Can I store things in the unit that the police gave back to me?",
    ],
)
def test_a_break_in_in_the_past_or_a_question_about_locks_is_no_incident(text: str) -> None:
    assert "security_incident" not in tripped(text)


@pytest.mark.parametrize(
    "text",
    [
        # (2026-12, the twenty-third conversation author's family, in seven authors' sets; in other words)
        "Your delivery truck backed into our gate post this morning and bent the hinge.",
        "One of your engineers drilled through the underfloor heating pipe.",
        "the removal team dropped my piano on the stairs",
        "Ihr Monteur hat beim Einbau unser Parkett zerkratzt.",
        "The grass cutter sent a stone through our window. Who's paying for the repair?",
    ],
)
def test_damage_the_companys_people_caused_is_put_to_a_person(text: str) -> None:
    assert "damage_caused" in tripped(text)


@pytest.mark.parametrize(
    "text",
    [
        "Your driver was lovely and didn't damage anything, thanks.",
        "Can your crew remove the old fence that the storm damaged?",
        "Who is responsible for approving invoices in our account?",
        "Does the courier need a signature?",
    ],
)
def test_the_companys_people_in_passing_caused_no_damage(text: str) -> None:
    assert "damage_caused" not in tripped(text)


@pytest.mark.parametrize(
    "text",
    [
        "We're waiting for an ambulance, my dad fell in your store.",
        "Wir warten auf den Rettungswagen, sie ist gestürzt.",
        "Her ex is not allowed near the children, there's a court order. Please don't let him collect them.",
    ],
)
def test_an_ambulance_on_its_way_and_a_court_order_told_after_the_ban_are_put_first(text: str) -> None:
    assert "vulnerable_customer" in tripped(text)


@pytest.mark.parametrize(
    "text",
    [
        # (2026-12, the twenty-fifth conversation author's families, in other words)
        "Nous sommes aux urgences avec mon fils, il s'est coupé avec la lame.",
        "Wir sitzen gerade in der Notaufnahme, mein Mann ist von der Leiter gefallen.",
        "Siamo al pronto soccorso, la bici si è rotta in discesa.",
        "my dad is short of breath since the heating went off",
        "She's having chest pains and the lift is broken again",
        "the cat came home from the kennel and her paw won't stop bleeding",
        "My son is coeliac and he has eaten the 'gluten free' cake you delivered.",
    ],
)
def test_an_emergency_room_breathing_bleeding_or_gluten_eaten_is_put_first(text: str) -> None:
    assert "vulnerable_customer" in tripped(text)


@pytest.mark.parametrize(
    "text",
    [
        "I literally can't breathe, this is the funniest error message I've ever seen",
        "Is the bread in the box suitable for a coeliac?",
        "The colours are bleeding in the wash, can I return the shirt?",
        "Can I change my appointment with the emergency dentist to next week?",
    ],
)
def test_a_joke_a_question_or_a_fabric_does_not_put_a_customer_first(text: str) -> None:
    assert "vulnerable_customer" not in tripped(text)


@pytest.mark.parametrize(
    "text",
    [
        # (2026-12, the twenty-fifth conversation author's family: seven escalations in five authors' sets)
        "I was promised the installation fee would be waived, now it's on the invoice.",
        "we were told there'd be no charge for the second visit",
        "The salesman assured me I wouldn't have to pay for the delivery.",
        "I was told someone would call back on Tuesday. It's Friday.",
    ],
)
def test_a_promise_the_bill_or_the_service_does_not_keep_is_put_to_a_person(text: str) -> None:
    assert "promise_broken" in tripped(text)


@pytest.mark.parametrize(
    "text",
    [
        "I was told the refund takes 5 days, when will it arrive?",
        "I was told to reset my password first, done that now.",
        "Thanks, you promised a quick answer and you delivered!",
    ],
)
def test_a_promise_asked_about_or_kept_is_no_broken_promise(text: str) -> None:
    assert "promise_broken" not in tripped(text)


def test_a_broken_promise_is_named_and_comes_after_the_triggers_it_may_meet() -> None:
    from baton.decision.engine import _GUARDRAIL_LABELS, GUARDRAIL_ORDER

    assert GUARDRAIL_ORDER.index("cancellation_refund") < GUARDRAIL_ORDER.index("promise_broken")
    assert GUARDRAIL_ORDER.index("promise_broken") < GUARDRAIL_ORDER.index("repeated_contact")
    assert _GUARDRAIL_LABELS["promise_broken"] == "A promise to the customer not kept"


@pytest.mark.parametrize(
    ("text", "guardrail"),
    [
        # (2026-12, the twenty-sixth conversation author's families, in other words)
        ("Two withdrawals from my account at 4am, 250.00 each, not me.", "security_incident"),
        ("The glass lid of the pan exploded on the hob while I was cooking.", "vulnerable_customer"),
        ("A drum of bleach arrived with a cracked lid, it's seeping into the carpet.", "vulnerable_customer"),
        ("My dad has been to A&E twice since the heating broke.", "vulnerable_customer"),
        ("It was your error, the engineer set the wrong tariff and now I owe 600.", "damage_caused"),
        ("Alle facturen van vorig jaar zijn weg.", "data_loss"),
    ],
)
def test_the_twenty_sixth_sets_families_trip_their_guardrail(text: str, guardrail: str) -> None:
    assert guardrail in tripped(text)


@pytest.mark.parametrize(
    "text",
    [
        "The charge was for my son, not me, he has his own card.",
        "I don't recognise a payment, can you tell me what it was for?",
        "It wasn't your fault, the courier was late.",
        "Can I order a replacement glass door for the oven?",
        "Foutcode E4 is weg na het herstarten, bedankt!",
    ],
)
def test_their_calm_neighbours_do_not(text: str) -> None:
    assert tripped(text) == []


def test_the_new_guardrail_is_named_for_people_and_after_security() -> None:
    from baton.decision.engine import _GUARDRAIL_LABELS, GUARDRAIL_ORDER

    assert GUARDRAIL_ORDER.index("security_incident") < GUARDRAIL_ORDER.index("damage_caused")
    assert GUARDRAIL_ORDER.index("damage_caused") < GUARDRAIL_ORDER.index("legal_threat")
    assert _GUARDRAIL_LABELS["damage_caused"] == "Damage or loss caused by us"


@pytest.mark.parametrize(
    ("text", "guardrail"),
    [
        # (2026-12, the thirty-second conversation author's families, in other words)
        ("Vi duas compras no cartão que eu não fiz, de 300 euros cada.", "security_incident"),
        ("Hay tres cargos en mi cuenta que no he hecho.", "security_incident"),
        ("Il y a des paiements sur ma carte que je n'ai pas effectués.", "security_incident"),
        ("Sul conto ci sono due addebiti che non ho fatto.", "security_incident"),
        ("Auf meiner Karte sind zwei Zahlungen, die ich nicht getätigt habe.", "security_incident"),
        ("This is a subject access request: send me every record you hold on me.", "legal_threat"),
        ("Under GDPR Article 17 I ask you to erase my data within a month.", "legal_threat"),
        (
            "Our daughter needs surgery tonight and the hospital wants your approval first.",
            "vulnerable_customer",
        ),
        ("The boiler is dead, the flat is 11 degrees and we have a newborn.", "vulnerable_customer"),
        ("The power has been out since noon and my wife is on oxygen.", "vulnerable_customer"),
        ("The heating is broken again and my grandmother is 89.", "vulnerable_customer"),
    ],
)
def test_the_thirty_second_sets_families_trip_their_guardrail(text: str, guardrail: str) -> None:
    assert guardrail in tripped(text)


@pytest.mark.parametrize(
    "text",
    [
        "Vi a compra no cartão, posso pagar em prestações?",
        "Where do I find your GDPR data processing agreement?",
        "I'm having knee surgery next month, can I freeze my membership?",
        "We had a baby last week, how do I add her to my health plan?",
        "The power was out for an hour yesterday, is there a credit for that?",
    ],
)
def test_the_thirty_second_sets_calm_neighbours_do_not(text: str) -> None:
    assert tripped(text) == []


@pytest.mark.parametrize(
    ("text", "guardrail"),
    [
        # (2026-12, the thirty-fourth conversation author's families, in other words)
        ("My mum is in the hospice and the nurses say she may not have long.", "vulnerable_customer"),
        ("Her tongue is swelling up after the dessert you delivered.", "vulnerable_customer"),
        ("Il est minuit et nous sommes dehors avec les enfants.", "vulnerable_customer"),
        ("Si no nos bajáis la cuota este mes, nos vamos con otra.", "competitor_switch"),
        ("Wenn das nicht klappt, sonst wechseln wir zum Wettbewerber.", "competitor_switch"),
        (
            "On est à la réception, l'hôtel est complet ce soir et les enfants sont épuisés.",
            "vulnerable_customer",
        ),
        (
            "Came home and found the mirror cracked and hidden behind the sofa after your movers left.",
            "damage_caused",
        ),
    ],
)
def test_the_thirty_fourth_sets_families_trip_their_guardrail(text: str, guardrail: str) -> None:
    assert guardrail in tripped(text)


@pytest.mark.parametrize(
    "text",
    [
        "My father was in hospital last year; can I update his address?",
        "My lips are swollen from the dentist, can I move the cleaning to Friday?",
        "si no puedo ir mañana me voy el lunes",
        "Il est minuit passé, je commande pour demain midi.",
        "L'hôtel est complet en août ? Nous venons avec les enfants.",
        "I found the broken lamp and put the pieces back in the box for the return.",
    ],
)
def test_the_thirty_fourth_sets_calm_neighbours_do_not(text: str) -> None:
    assert tripped(text) == []


@pytest.mark.parametrize(
    ("text", "guardrail"),
    [
        # (2026-12, the thirty-fifth conversation author's families, in other words; the thirty-second's too)
        (
            "The box says 50 mg but he is prescribed 12.5 mg, and he already took one at lunch.",
            "vulnerable_customer",
        ),
        ("I think I took three times my dose by mistake", "vulnerable_customer"),
        ("I'm on the phone with poison control right now", "vulnerable_customer"),
        ("Nella valigia ci sono i farmaci per il diabete, ne ho solo per oggi.", "vulnerable_customer"),
        ("We found bed bugs in the cot this morning.", "vulnerable_customer"),
    ],
)
def test_the_thirty_fifth_sets_families_trip_their_guardrail(text: str, guardrail: str) -> None:
    assert guardrail in tripped(text)


@pytest.mark.parametrize(
    "text",
    [
        "She takes 10mg and the pharmacy took a week last time, can you speed up the refill?",
        "I was prescribed 50mg but got 100mg tablets, I haven't taken any, can you swap them?",
        "I have about 8 days of pills left, no rush on the refill.",
        "Do you treat the rooms for bed bugs?",
    ],
)
def test_the_thirty_fifth_sets_calm_neighbours_do_not(text: str) -> None:
    assert tripped(text) == []


@pytest.mark.parametrize(
    "text",
    [
        # (2026-12, the thirty-seventh conversation author's families, in other words)
        "It's going to be minus 8 tonight and my grandmother is 88, the boiler is still dead.",
        "we have a 3 week old baby and it's below freezing outside, nobody has come",
        "Black mould is growing on the bedroom wall and my daughter has asthma.",
        "Der Schimmel im Kinderzimmer wird immer schlimmer, unser Baby hustet.",
        "Hay moho en el techo y estoy embarazada de seis meses.",
    ],
)
def test_the_thirty_seventh_sets_families_are_put_first(text: str) -> None:
    assert "vulnerable_customer" in tripped(text)


@pytest.mark.parametrize(
    "text",
    [
        "It's minus 4 outside, can you move my delivery to Friday?",
        "Do you sell a mould remover that is safe around a baby?",
        "The anti-mould paint arrived, thanks, the nursery looks great.",
        "My son has asthma, can I add his inhaler to the repeat prescription?",
    ],
)
def test_the_thirty_seventh_sets_calm_neighbours_do_not(text: str) -> None:
    assert tripped(text) == []


@pytest.mark.parametrize(
    ("text", "guardrail"),
    [
        # (2026-12, the thirty-ninth conversation author's families, in other words)
        ("My daughter is having a bad reaction, the cake had hazelnuts in it.", "vulnerable_customer"),
        ("We just knocked over a pedestrian in the car park, what do I do?", "vulnerable_customer"),
        ("The ambulance is on its way, my husband collapsed during the delivery.", "vulnerable_customer"),
        ("Der Krankenwagen ist unterwegs, mein Vater ist gestürzt.", "vulnerable_customer"),
        ("The app's showing another patient's scans under my name.", "security_incident"),
    ],
)
def test_the_thirty_ninth_sets_families_trip_their_guardrail(text: str, guardrail: str) -> None:
    assert guardrail in tripped(text)


@pytest.mark.parametrize(
    "text",
    [
        "Does the policy cover an ambulance if I need one abroad?",
        "The new peanut flavour got a great reaction from our customers.",
        "Is there a reaction time guarantee in the premium plan?",
    ],
)
def test_the_thirty_ninth_sets_calm_neighbours_do_not(text: str) -> None:
    assert tripped(text) == []


@pytest.mark.parametrize(
    ("text", "guardrail"),
    [
        # (2026-12, the forty-first and forty-third conversation authors' families, in other words)
        (
            "My wife is on home oxygen and the machine runs off the mains, please don't cut us off.",
            "vulnerable_customer",
        ),
        (
            "The service starts at 2 and the wreath still hasn't arrived, the family is waiting at the crematorium.",
            "vulnerable_customer",
        ),
        ("The kitten was chewing the lilies you delivered before I noticed.", "vulnerable_customer"),
        (
            "The care agency says the carers can't come to her any more without a permit.",
            "vulnerable_customer",
        ),
        (
            "Wir warten seit zwei Stunden am Flughafen mit unserem Baby, niemand ist gekommen.",
            "vulnerable_customer",
        ),
        ("the rear brake just went on the descent and I came off", "vulnerable_customer"),
        (
            "Hier hat jemand meinen Roller gestohlen, Anzeige bei der Polizei ist erstattet.",
            "security_incident",
        ),
        ("My van was stolen from outside the depot, I've reported it to the police.", "security_incident"),
        ("None of our staff got paid this morning, payroll ran on Tuesday.", "team_blocked"),
        ("Ligaram dizendo que eram do banco e depois sumiram 2.000 reais da conta.", "account_compromise"),
        ("Un tizio fingendosi della banca mi ha fatto fare un bonifico di 900 euro.", "account_compromise"),
    ],
)
def test_the_forty_first_and_forty_third_sets_families_trip_their_guardrail(
    text: str, guardrail: str
) -> None:
    assert guardrail in tripped(text)


@pytest.mark.parametrize(
    "text",
    [
        "Does the oxygen concentrator run off the mains or a battery?",
        "Can you deliver the funeral flowers by 10? The service is at 11.",
        "Are lilies safe for cats? I'd like to send some to my sister.",
        "Can the carers park in the visitor bays?",
        "Estamos no aeroporto com o bebé, o motorista chega em 5 minutos?",
        "My bike was stolen last year, do you offer theft cover now?",
        "One of my employees didn't get paid today, everyone else did.",
        "My staff haven't been paid the bonus yet, is that in the next run?",
        "The brake pads went in the post today, thanks.",
        "My brake light went out, can I book a bulb replacement?",
        "my carer can't come tomorrow, can I rebook the visit?",
        "do lilies hurt cats if eaten?",
        "Are lilies toxic to cats if they chew the leaves?",
    ],
)
def test_the_forty_first_and_forty_third_sets_calm_neighbours_do_not(text: str) -> None:
    assert tripped(text) == []


@pytest.mark.parametrize(
    ("text", "guardrail"),
    [
        # (2026-12, the forty-fifth conversation author's families, in other words)
        (
            "We broke down on the M6 near Tebay with three kids in the back and nobody answers.",
            "vulnerable_customer",
        ),
        ("Tengo las fotos; si hace falta, lo reclamaremos al banco.", "payment_dispute"),
        ("Someone in the chat told him he'll come and find him after school.", "safety_risk"),
        (
            "Her surname is misspelt on the memorial cards and the funeral is tomorrow at 10.",
            "vulnerable_customer",
        ),
    ],
)
def test_the_forty_fifth_sets_families_trip_their_guardrail(text: str, guardrail: str) -> None:
    assert guardrail in tripped(text)


@pytest.mark.parametrize(
    "text",
    [
        "Our car broke down in Spain last year with the kids, does the new policy cover that?",
        "My son said he'll find the secret level tonight.",
        "Can you reprint if a name is spelled wrong? The funeral is next month.",
        # hypothetical: the key word opens the match, so the negation module reads the "if" before it
        "If my bike is stolen, do I need a police report to claim?",
        "if the funeral flowers have not arrived by 10, what do I do?",
        "is there mould cover if my baby's room gets damp?",
    ],
)
def test_the_forty_fifth_sets_calm_neighbours_do_not(text: str) -> None:
    assert tripped(text) == []


@pytest.mark.parametrize(
    ("text", "guardrail"),
    [
        # (2026-12, the forty-seventh and forty-ninth conversation authors' families, in other words)
        ("My dad's speech is slurred and his face is drooping on the left.", "vulnerable_customer"),
        ("my grandmother just collapsed in the hallway", "vulnerable_customer"),
        ("The portal shows my sodium as a critical value and nobody has rung me.", "vulnerable_customer"),
        ("I'm 84, the heating went off on Sunday and it's below freezing outside.", "vulnerable_customer"),
        (
            "The boiler's dead, I've run out of heating oil and my mother is 90 years old.",
            "vulnerable_customer",
        ),
        ("The frame has a dent that wasn't there when I brought it in for the service.", "damage_caused"),
        ("My watch came back from your repair centre with a cracked glass.", "damage_caused"),
        ("My phone shows SOS only; someone has moved my number to a new SIM.", "account_compromise"),
        ("There's an eSIM swap on my account that I never requested.", "account_compromise"),
        ("Ktoś zamówił duplikat karty SIM na mój numer.", "account_compromise"),
        ("Jemand hat eine Ersatz-SIM für meinen Vertrag aktiviert, das war ich nicht.", "account_compromise"),
        ("Alguien ha pedido un duplicado de mi SIM y me he quedado sin línea.", "account_compromise"),
        ("Si no me lo solucionan hoy, lo cuento todo en Twitter.", "public_complaint"),
        ("Wenn das nicht bis Freitag erledigt ist, poste ich das alles auf Facebook.", "public_complaint"),
        ("Si vous ne faites rien, je vais tout raconter sur les réseaux sociaux.", "public_complaint"),
        ("Se non rispondete entro domani lo scrivo su Trustpilot.", "public_complaint"),
        ("Vou expor isso tudo nas redes sociais.", "public_complaint"),
        ("no aplicativo sumiram todas as fotos do álbum", "data_loss"),
    ],
)
def test_the_forty_seventh_and_forty_ninth_sets_families_trip_their_guardrail(
    text: str, guardrail: str
) -> None:
    assert guardrail in tripped(text)


@pytest.mark.parametrize(
    "text",
    [
        "My mum holds power of attorney for my grandad, can she update his address?",
        "Ik wil overstappen naar jullie, hoe werkt dat?",
        "We willen overstappen naar een goedkoper abonnement bij jullie.",
        "I'm not there anymore, can the parcel go to my new address?",
        "My results came back and nothing critical was found, thanks.",
        "How do I order a replacement SIM? Mine is cracked.",
        "My new SIM was activated yesterday, all good now.",
        "I'm 85% sure the heating schedule is wrong, can you check?",
        "My dad is not responding to my texts, can you resend the code to me instead?",
        "Je poste sur Instagram tous les jours avec votre appli, comment programmer un post ?",
        "¿Cómo publico en Facebook desde la app?",
        "No voy a publicarlo en Twitter, tranquilos, solo quiero la factura.",
        "Ich werde das nicht auf Facebook posten, keine Sorge.",
        "The scratch on the case was there before, no worries.",
    ],
)
def test_the_forty_seventh_and_forty_ninth_sets_calm_neighbours_do_not(text: str) -> None:
    assert tripped(text) == []


@pytest.mark.parametrize(
    ("text", "guardrail"),
    [
        # (2026-12, the fifty-first and fifty-third conversation authors' families, in other words)
        ("You sent the wrong strength of insulin and my son already injected it.", "vulnerable_customer"),
        (
            "The box says 20 mg, her prescription is 5 mg, and she took one at breakfast.",
            "vulnerable_customer",
        ),
        (
            "My 13 year old is stranded at the bus station, your coach left without her.",
            "vulnerable_customer",
        ),
        ("The conductor made my son get off the train at Crewe, he's 14.", "vulnerable_customer"),
        ("Mein Opa ist 88 und bei ihm sind es 12 Grad, die Heizung ist ausgefallen.", "vulnerable_customer"),
        (
            "I've just been made redundant and I don't know how I'll cover the mortgage.",
            "vulnerable_customer",
        ),
        ("Charging me twice for one service is illegal and you know it.", "legal_threat"),
        (
            "Under the Consumer Credit Act we are entitled to a refund from you as the card issuer.",
            "legal_threat",
        ),
        (
            "Según la ley general para la defensa de los consumidores tengo derecho al reembolso.",
            "legal_threat",
        ),
        ("To już czwarty raz piszę w tej sprawie.", "repeated_contact"),
        ("Det er tredje gang jeg skriver til jer om dette.", "repeated_contact"),
    ],
)
def test_the_fifty_first_and_fifty_third_sets_families_trip_their_guardrail(
    text: str, guardrail: str
) -> None:
    assert guardrail in tripped(text)


@pytest.mark.parametrize(
    "text",
    [
        "Is it illegal to park on the pavement outside my house?",
        "it's illegal to sell alcohol to under-18s, so we ask for ID",
        "Under the Consumer Rights Act, how long do I have to return shoes?",
        "My son is home alone at the weekend, can the engineer come on Saturday?",
        "Our company laid off half the team, can we drop to 10 seats?",
        "I'm 85% sure the heating schedule is wrong.",
        "Can I get the 20 mg tablets instead of 10 mg next time? My doctor changed the dose.",
        "Pierwszy raz piszę, jak zmienić adres?",
    ],
)
def test_the_fifty_first_and_fifty_third_sets_calm_neighbours_do_not(text: str) -> None:
    assert tripped(text) == []


@pytest.mark.parametrize(
    ("text", "guardrail"),
    [
        # (2026-12, the fifty-fifth and fifty-seventh conversation authors' families, in other words)
        ("My suit came back from your dry cleaning with a burn mark on the sleeve.", "damage_caused"),
        (
            "Your scaffold was left on the pavement without lights and my wife tripped, she's in A&E.",
            "damage_caused",
        ),
        (
            "He stayed with you for a week and came home with a bite wound on his leg, the vet's bill is £180.",
            "damage_caused",
        ),
        (
            "Her tongue is swollen and she has hives all over, I think it's an allergic reaction.",
            "vulnerable_customer",
        ),
        (
            "Your driver handed a crate of beer to my 14 year old son without asking for ID.",
            "vulnerable_customer",
        ),
        ("The mileage was clearly rolled back before you sold me the car.", "legal_threat"),
        (
            "Wenn Sie nicht antworten, schalte ich meinen Anwalt ein. Anwalt einschalten ist der nächste Schritt.",
            "public_complaint",
        ),
        ("Si no me devuelven el dinero, mi abogado les escribirá.", "public_complaint"),
    ],
)
def test_the_fifty_fifth_and_fifty_seventh_sets_families_trip_their_guardrail(
    text: str, guardrail: str
) -> None:
    assert guardrail in tripped(text)


@pytest.mark.parametrize(
    "text",
    [
        "Les avocats étaient abîmés, pouvez-vous les remplacer ?",
        "My blood test came back with a note about iron, what does that mean?",
        "Is it normal for my lips to feel a bit dry after the whitening?",
        "Can I buy a bottle of wine as a gift for my daughter's teacher?",
        "How do I check the mileage on the car before I buy it?",
    ],
)
def test_the_fifty_fifth_and_fifty_seventh_sets_calm_neighbours_do_not(text: str) -> None:
    assert tripped(text) == []


@pytest.mark.parametrize(
    ("text", "guardrail"),
    [
        # (2026-12, the fifty-ninth conversation author's families, in other words)
        (
            "The seller said to pay by PayPal friends and family, I sent £300 and now his profile is gone.",
            "security_incident",
        ),
        (
            "My daughter has a rash and stinging eyes after the treatment, your cleaner used a strong spray.",
            "damage_caused",
        ),
        ("The hire unit tipped over overnight and diesel is leaking onto the road.", "damage_caused"),
        ("We collected Rex on Monday and the vet said today he has kennel cough.", "damage_caused"),
        ("My son nearly drowned at your pool party and no lifeguard was watching.", "vulnerable_customer"),
    ],
)
def test_the_fifty_ninth_sets_families_trip_their_guardrail(text: str, guardrail: str) -> None:
    assert guardrail in tripped(text)


@pytest.mark.parametrize(
    "text",
    [
        "Can I pay by bank transfer instead of card?",
        "My eyes are sore after swimming, which goggles do you sell?",
        "We picked him up on Saturday and the vet said he's fine, thanks for looking after him!",
    ],
)
def test_the_fifty_ninth_sets_calm_neighbours_do_not(text: str) -> None:
    assert tripped(text) == []


@pytest.mark.parametrize(
    ("text", "guardrail"),
    [
        # (2026-12, the sixty-first and sixty-third sets' families, in other words)
        ("The lifeguard at your lido was drunk on Sunday, he could barely stand.", "vulnerable_customer"),
        ("Der Skilehrer war gestern völlig betrunken, mit den Kindern am Hang.", "vulnerable_customer"),
        (
            "My cat's eyes are swollen since her vaccine this morning, what should I do?",
            "vulnerable_customer",
        ),
        ("O rosto do meu filho está inchado desde a vacina de ontem.", "vulnerable_customer"),
        ("I got two order confirmations this morning and I never ordered anything.", "account_compromise"),
        ("Me han llegado confirmaciones de reservas y no he reservado nada.", "account_compromise"),
        ("Your delivery van clipped my parked car outside number 12 and drove off.", "damage_caused"),
        (
            "We've just had an accident in the hire car on the motorway, the other driver is shouting.",
            "vulnerable_customer",
        ),
        ("It's everyone in the warehouse, 35 people, nobody can scan anything.", "team_blocked"),
        ("The whole clinic can't open patient records this morning.", "team_blocked"),
    ],
)
def test_the_sixty_first_and_sixty_third_sets_families_trip_their_guardrail(
    text: str, guardrail: str
) -> None:
    assert guardrail in tripped(text)


@pytest.mark.parametrize(
    "text",
    [
        "need the march invoice again, my bookkeeper lost it",
        "the import worked but the same email appears twice in the list",
        "Is it normal to feel a bit tired after the flu jab?",
        "Can I bring a bottle of wine for the guide as a thank-you?",
        "I've come off the waitlist for the car, when can I collect it?",
        "My dog had an accident on the back seat of the hire car, is there a cleaning fee?",
        "Can you book tickets for everyone in our group, 12 people?",
        "I got the booking confirmation, thanks!",
    ],
)
def test_the_sixty_first_and_sixty_third_sets_calm_neighbours_do_not(text: str) -> None:
    assert tripped(text) == []


@pytest.mark.parametrize(
    ("text", "guardrail"),
    [
        # (2026-12, the sixty-fifth and sixty-seventh sets' families, in other words)
        (
            "I tore my calf doing the sprint session in your app yesterday, I can barely walk.",
            "damage_caused",
        ),
        (
            "During the spin class your instructor told us to push on and I twisted my knee badly.",
            "damage_caused",
        ),
        (
            "My tools were stolen from your storage unit overnight, the police gave me a crime number.",
            "damage_caused",
        ),
        ("Alguien ha hecho compras desde mi cuenta esta noche, yo no he sido.", "account_compromise"),
        ("Los frenos del patinete no funcionaron en la bajada y me caí.", "vulnerable_customer"),
        (
            "Our landlord served an eviction notice because the benefit stopped, we have nowhere to go.",
            "vulnerable_customer",
        ),
        (
            "The minibus for our 22 pupils still hasn't turned up and the museum closes soon.",
            "vulnerable_customer",
        ),
        ("Since the extraction on Friday my jaw is swollen and I've a temperature.", "vulnerable_customer"),
        ("The wreath was half the size we ordered, and the funeral is this morning.", "vulnerable_customer"),
    ],
)
def test_the_sixty_fifth_and_sixty_seventh_sets_families_trip_their_guardrail(
    text: str, guardrail: str
) -> None:
    assert guardrail in tripped(text)


@pytest.mark.parametrize(
    "text",
    [
        "I sprained my ankle last week, can I pause my classes?",
        "My bike was stolen from my garden, can I cancel the insurance add-on?",
        "Can I sign in with Google instead of a password?",
        "The coach for Saturday's trip, has the pick-up time changed?",
        "Can I order flowers for my grandad's funeral on Friday?",
    ],
)
def test_the_sixty_fifth_and_sixty_seventh_sets_calm_neighbours_do_not(text: str) -> None:
    assert tripped(text) == []


@pytest.mark.parametrize(
    ("text", "guardrail"),
    [
        # (2026-12, the sixty-ninth set's families, in other words)
        (
            "A Facebook page using your logo messaged me asking for a £50 deposit to hold the dress.",
            "security_incident",
        ),
        (
            "I got an email saying my account was suspended, clicked the link and we paid the £30 fee.",
            "security_incident",
        ),
        (
            "My dad's wheelchair just stopped working halfway round your shopping centre, he's 84.",
            "vulnerable_customer",
        ),
        (
            "I ordered the nut-free cake for my daughter and the label says contains peanuts.",
            "vulnerable_customer",
        ),
        (
            "Our son is always hungry at his host family, they only give him toast for dinner.",
            "vulnerable_customer",
        ),
        ("Since the service yesterday I noticed a dent in the driver's door.", "damage_caused"),
        (
            "He knocked a tooth out at rugby training an hour ago, can you see him today?",
            "vulnerable_customer",
        ),
    ],
)
def test_the_sixty_ninth_sets_families_trip_their_guardrail(text: str, guardrail: str) -> None:
    assert guardrail in tripped(text)


@pytest.mark.parametrize(
    "text",
    [
        "I got an email saying my invoice is ready and I paid it, thanks.",
        "Can I hire a mobility scooter for my mum next Saturday?",
        "Is the gluten-free sponge made in a kitchen that also uses nuts?",
        "How many meals a day does the host family provide?",
        "After my service, is there a warranty on the new brakes?",
        "My son's baby tooth fell out, is that normal at 6?",
    ],
)
def test_the_sixty_ninth_sets_calm_neighbours_do_not(text: str) -> None:
    assert tripped(text) == []


@pytest.mark.parametrize(
    ("text", "guardrail"),
    [
        # (2026-12, the seventy-third and seventy-fifth sets' families, in other words)
        (
            "My son took a canoe out at 3, he was due back by 5 and it's 6.30, he's still not back.",
            "vulnerable_customer",
        ),
        (
            "The instructor made some remarks about my weight in front of the whole class.",
            "vulnerable_customer",
        ),
        ("I want to withdraw my consent for you to keep my DNA sample.", "legal_threat"),
        ("Wir wollen vom Vertrag zurücktreten und verlangen die Kaution zurück.", "cancellation_refund"),
        ("Schicken Sie mir das bitte schriftlich, ich werde es meinem Anwalt vorlegen.", "legal_threat"),
        ("Po opravě je notebook úplně prázdný, všechny soubory jsou pryč.", "data_loss"),
    ],
)
def test_the_seventy_third_and_seventy_fifth_sets_families_trip_their_guardrail(
    text: str, guardrail: str
) -> None:
    assert guardrail in tripped(text)


@pytest.mark.parametrize(
    "text",
    [
        "How do I withdraw consent for marketing emails?",
        "Great trip, we might book again in September!",
        "What time should we be back by on Saturday?",
        "My laptop was set up by Tom from IT, can you add him as an admin?",
    ],
)
def test_the_seventy_third_and_seventy_fifth_sets_calm_neighbours_do_not(text: str) -> None:
    assert tripped(text) == []
