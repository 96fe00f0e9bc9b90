"""Short synthetic free text for demo episodes: circumstances, rationales, interviews, updates.

Kept apart from the generator so the narrative can be read and improved without wading through the
simulation. Every function takes the generator's random source, so the text is as deterministic as the rest.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Story:
    """What the text needs to know about one episode."""

    given: str
    female: bool
    age: int | None
    kind: str  # the archetype key: lac_home, child_once, adult_mh, dementia…
    place: str  # the name of the place missing from
    area: str  # the neighbourhood or town
    markers: frozenset[str]
    earlier_episodes: int
    relation: str  # the reporting person's relationship

    @property
    def she(self) -> str:
        return "she" if self.female else "he"

    @property
    def her(self) -> str:
        return "her" if self.female else "him"

    @property
    def hers(self) -> str:
        return "her" if self.female else "his"

    @property
    def child(self) -> bool:
        return self.age is not None and self.age < 18


def _time(rng: random.Random, lo: int, hi: int) -> str:
    return f"{rng.randint(lo, hi):02d}:{rng.choice((0, 15, 30, 45)):02d}"


def circumstances(rng: random.Random, s: Story) -> str:
    g, she, her, hers = s.given, s.she, s.her, s.hers
    options: list[str]
    if s.kind in ("lac_home", "lac_foster"):
        options = [
            f"{g} left {s.place} at about {_time(rng, 15, 21)} saying {she} was going to the shop and did not return "
            f"by the agreed time of {_time(rng, 21, 22)}. {hers.capitalize()} phone goes straight to voicemail.",
            f"{g} left {s.place} after an argument with staff about phone use. Believed to be heading to {s.area}, "
            f"where {she} has friends.",
            f"{g} was not in {hers} room at the {_time(rng, 0, 3)} night check; the window was open. "
            f"Nothing known to have been taken apart from {hers} phone.",
            f"{g} did not return from college. Staff have checked the usual places in {s.area} without success.",
            f"{g} went out with friends at {_time(rng, 17, 20)} and has not come back. Snapchat shows {her} "
            f"last active in {s.area}.",
        ]
        if "cse" in s.markers:
            options.append(
                f"{g} was seen getting into a car with two older males outside {s.place}. Known CSE concerns; "
                f"{she} has been found in {s.area} on previous occasions."
            )
        if "cce" in s.markers:
            options.append(
                f"{g} left {s.place} after receiving several calls on a second phone. Concerns about county "
                f"lines; previously found out of the county."
            )
    elif s.kind in ("child_once", "child_repeat"):
        options = [
            f"{g} went out after school to see friends and has not come home. {s.relation} has phoned "
            f"{hers} friends and none of them have seen {her}.",
            f"{g} left home after an argument with {hers} {s.relation.lower()} about {rng.choice(('school', 'phone use', 'a boyfriend', 'a girlfriend', 'coming home late', 'money'))}. "
            f"Took a bag with some clothes.",
            f"{g} did not arrive at school this morning and has not come home. This is out of character.",
            f"{g} was due home by {_time(rng, 20, 22)} and is not answering {hers} phone. Last seen in {s.area}.",
            f"{g} went to a party in {s.area} and did not come home. Friends say {she} left on {hers} own.",
        ]
        if s.age is not None and s.age < 11:
            options = [
                f"{g} was playing outside near home in {s.area} and did not come in when called. "
                f"Family and neighbours have searched the street and the park.",
                f"{g} became separated from {hers} family in {s.area} town centre.",
            ]
    elif s.kind == "adult_mh":
        options = [
            f"{g} is an informal patient who left the ward at {_time(rng, 9, 22)} and has not returned. "
            f"Has expressed thoughts of suicide this week.",
            f"{g} is detained under section 3 and failed to return from an hour's unescorted leave.",
            f"{g} left home after a crisis team visit; {s.relation.lower()} found a note saying "
            f"'sorry for everything'. Phone is switched off.",
            f"{g} has not taken {hers} medication for three days and left home without {hers} phone. "
            f"{s.relation} is very worried.",
            f"{g} walked out of the emergency department before being assessed after an overdose.",
        ]
    elif s.kind == "dementia":
        options = [
            f"{g} has dementia and left the house while {hers} {s.relation.lower()} was asleep. "
            f"Wearing {rng.choice(('slippers', 'a dressing gown', 'a thin cardigan'))}; it is cold outside.",
            f"{g} is a resident with dementia who left {s.place} through the garden gate. "
            f"Not used to being out alone and does not carry a phone.",
            f"{g} went for {hers} usual walk to the shop in {s.area} and has not come back after two hours. "
            f"Has dementia and may try to go to a former address.",
        ]
    elif s.kind == "adult_repeat":
        options = [
            f"{g} left the hostel yesterday evening and has not returned; missed {hers} methadone collection "
            f"this morning.",
            f"{g} has not been seen by {hers} support worker for two days. Known to sleep rough around {s.area}.",
            f"{g} left after a row with {hers} partner and has been drinking heavily. Not answering calls.",
        ]
    else:
        options = [
            f"{g} did not return home from work. Phone is switched off, which is out of character.",
            f"{g} left home after a relationship breakdown and sent a worrying text message to {hers} "
            f"{s.relation.lower()}.",
            f"{g} went on a night out in {s.area} and did not come home. Friends last saw {her} at about "
            f"{_time(rng, 0, 2)}.",
            f"{g} left home for a walk {rng.choice(('this afternoon', 'this morning', 'last night'))} and has "
            f"not come back. {hers.capitalize()} car is still on the drive.",
            f"{g} has been under financial pressure and left home without {hers} bank cards or phone.",
        ]
    text = rng.choice(options)
    if s.earlier_episodes:
        text += f" Has been reported missing {s.earlier_episodes} time{'s' if s.earlier_episodes > 1 else ''} before."
    return text


def reasonable_steps(rng: random.Random, s: Story) -> str:
    return rng.choice(
        (
            f"Staff searched the building and grounds, phoned {s.her} {rng.randint(3, 8)} times and checked "
            f"with friends and the usual places in {s.area} before reporting.",
            f"Called {s.hers} mobile and messaged on Snapchat; drove round {s.area}; contacted {s.hers} family. "
            f"No reply.",
            "Searched the house and garden, checked CCTV at the front door, phoned family and friends.",
            f"Checked {s.hers} room, the garden and the local park; rang {s.hers} phone and social worker.",
        )
    )


def last_seen_with(rng: random.Random, s: Story) -> str:
    if "cse" in s.markers and rng.random() < 0.4:
        return "Two older males in a grey hatchback"
    if s.child and rng.random() < 0.4:
        return rng.choice(
            ("Friends from school", "A girl known as 'Lils'", "Two boys on bikes", "A group of friends")
        )
    if rng.random() < 0.15:
        return rng.choice(("A friend", "Partner", "Unknown male"))
    return "Alone"


LEVEL_WORDS = {"very_low": "very low", "low": "low", "medium": "medium", "high": "high"}


def risk_rationale(rng: random.Random, level: str, s: Story, regrade: bool) -> str:
    word = LEVEL_WORDS.get(level, level.replace("_", " "))
    reasons: list[str] = []
    if s.child:
        reasons.append(f"{s.given} is {s.age} and a child")
    elif s.age is not None and s.age >= 65:
        reasons.append(f"{s.given} is {s.age}")
    if "cse" in s.markers:
        reasons.append("known to be at risk of child sexual exploitation")
    if "cce" in s.markers:
        reasons.append("linked to county lines activity")
    if "self_harm" in s.markers:
        reasons.append("has a history of self-harm")
    if "mental_health" in s.markers:
        reasons.append("has mental-health needs")
    if "dementia" in s.markers:
        reasons.append("has dementia and may not be able to keep safe")
    if s.earlier_episodes:
        reasons.append(f"missing {s.earlier_episodes} times before, usually returning within a day")
    if not reasons:
        reasons.append("no previous missing history")
    basis = "; ".join(reasons[:3])
    tail = {
        "high": "There is an immediate risk of serious harm: full search and MIM oversight.",
        "medium": "The risk of harm is likely but not immediate: active enquiries to locate.",
        "low": "No apparent risk of harm at present; enquiries continue and the grading will be reviewed.",
        "very_low": "Very low risk of harm; the person is not a child and has capacity. Proportionate enquiries.",
    }.get(level, "Graded on the information available.")
    lead = "Regraded" if regrade else "Graded"
    why = ""
    if regrade:
        why = rng.choice(
            (
                " New information from the reporting person. ",
                " Sighting not confirmed and time missing increasing. ",
                " Phone data shows them in a known hotspot. ",
                " Confirmed safe at a friend's address by phone; not yet seen. ",
            )
        )
    return f"{lead} {word}: {basis}.{why or ' '}{tail}"


def sign_off_note(rng: random.Random) -> str:
    return rng.choice(
        (
            "Agree with the grading.",
            "Agree. Ensure social care are informed.",
            "Agree; make sure the phone work is done.",
            "Agreed. Review at the time set.",
            "",
        )
    )


def found_story(rng: random.Random, s: Story, how: str) -> tuple[str, str, str]:
    """(found place, where they had been, with whom)."""
    area = s.area
    if how in ("own_accord", "care_staff") and s.kind in ("lac_home", "lac_foster"):
        place = f"Returned to {s.place}"
    elif how == "own_accord":
        place = "Returned home"
    elif how == "hospital":
        place = "Emergency department"
    else:
        place = rng.choice(
            (
                f"Friend's address in {area}",
                f"{area} town centre",
                "Leeds railway station",
                "Bradford Interchange",
                f"Park in {area}",
                f"Fast-food restaurant in {area}",
                f"Relative's address in {area}",
                f"Bus station, {area}",
            )
        )
    where = rng.choice(
        (
            "At a friend's house",
            "Walking around town",
            "With a boyfriend",
            "With a girlfriend",
            "At a relative's",
            "Staying with friends",
            "Would not say",
            "In a park with friends",
        )
    )
    if s.kind == "dementia":
        where = "Walking towards a former home address"
    with_whom = rng.choice(("Friends", "Alone", "Not disclosed", "Partner", "Older friends"))
    return place, where, with_whom


EXPLOITATION_INDICATORS = (
    "Found with older males",
    "Unexplained money or gifts",
    "Found in a known exploitation hotspot",
    "Found out of the area",
    "Under the influence of alcohol or drugs",
    "New or second phone",
)

PUSH_FACTORS = (
    "Conflict with carers about rules",
    "Arguments at home",
    "Unhappy with placement",
    "Bullying at school",
    "Bereavement",
    "Family breakdown",
    "Worries about exams",
    "Feeling low",
    "Money worries",
    "Relationship ended",
)
PULL_FACTORS = (
    "Wanted to see friends",
    "Boyfriend or girlfriend",
    "Wanted to see family",
    "Parties",
    "Older associates",
    "Drugs and alcohol",
    "Wanted to go home to birth family",
    "Pressure from peers",
)
SUPPORT = (
    "Early help",
    "School pastoral support",
    "CAMHS",
    "Substance misuse service",
    "Housing support",
    "GP review",
    "Family mediation",
    "Youth service",
)
REFERRALS = (
    "Referred to early help",
    "Referral to the CSE team",
    "Referral to the Missing People charity",
    "Referred to the children's social care duty team",
    "Referred to community mental health team",
    "Referral to the youth offending service",
    "Safeguarding referral (adults)",
)


def interview_texts(rng: random.Random, s: Story) -> dict[str, str]:
    push = ", ".join(rng.sample(PUSH_FACTORS, rng.randint(1, 2)))
    pull = ", ".join(rng.sample(PULL_FACTORS, rng.randint(0, 2)))
    disclosures = ""
    if rng.random() < 0.06 or ("cse" in s.markers and rng.random() < 0.2):
        disclosures = rng.choice(
            (
                "Said an older male gave them vodka and a lift.",
                "Said they were asked to carry a package to another town.",
                "Disclosed being hit by a family member.",
                "Said they stayed at an address where adults were using drugs.",
            )
        )
    return {
        "push_factors": push,
        "pull_factors": pull,
        "disclosures": disclosures,
        "support_needed": rng.choice(SUPPORT) if rng.random() < 0.6 else "",
        "referrals": rng.choice(REFERRALS) if rng.random() < 0.5 else "",
        "harm": "Reported minor injuries" if rng.random() < 0.03 else "",
    }


def carer_account(rng: random.Random, s: Story) -> str:
    return rng.choice(
        (
            f"{s.relation} says {s.given} stayed at a friend's and is safe; would not talk to officers.",
            f"Staff report {s.given} returned tired but unharmed and refused to speak to police.",
            f"{s.given} declined; family say {s.she} was with {s.hers} cousin all night.",
        )
    )


NOT_DONE_REASONS = (
    "Person refused to engage after three attempts; carer's account recorded in the updates.",
    "Moved out of the force area before the interview could take place; receiving force informed.",
    "Admitted to hospital on return; interview not possible and closure agreed with the ward.",
)

NOT_RECORDED_REASONS = (
    "Whereabouts known: at a friend's address, carer spoken to the friend's parent; not missing.",
    "Late home by under an hour with a known reason; carer advised to call back if concerns grow.",
    "Person located by phone before the report was completed: safe at a relative's.",
    "Away without authorisation from the placement but whereabouts known and no risk identified.",
    "Adult with capacity who has chosen to stay with a partner and has spoken to officers.",
)

APPEAL_GROUNDS = (
    "She has a CSE marker and was last seen getting into a car with an older man; we think she is at risk.",
    "Our staff do not know where he is: the friend's address given is not confirmed. Please record it.",
    "Her phone is off, which is out of character, and she missed her medication this evening.",
    "We followed our missing-from-care protocol and he meets the threshold; we ask for this to be recorded.",
)

APPEAL_UPHELD_REASONS = (
    "Reviewed with the call recording: whereabouts were confirmed by a responsible adult; decision stands.",
    "Young person spoke to officers by phone and is safe at a relative's; not missing. Carer updated.",
    "Returned before the appeal was reviewed; the original decision was reasonable on what was known.",
)

ENQUIRIES = (
    "Check CCTV at the bus station",
    "Phone work: request cell-site data",
    "Visit friend's address in {area}",
    "Speak to school about friendships",
    "Check social media accounts",
    "Hospital checks across the force area",
    "Circulate on PNC as missing",
    "Visit known associates in {area}",
    "Check bank card use",
    "Search the local park and canal towpath",
    "Contact the placing authority's emergency duty team",
    "Request press release authority",
)

UPDATES = (
    "Spoke to {relation}; no contact since the report.",
    "House search completed; nothing of note found.",
    "Friends spoken to at school; one believes they were heading to {area}.",
    "Phone still switched off. Cell-site request submitted.",
    "Patrols in {area} briefed with description and photo.",
    "Social care informed; strategy discussion arranged.",
    "Possible sighting in {area}: patrol attended, no trace.",
)

SIGHTING_PLACES = (
    "Outside the shop on the high street, {area}",
    "Bus stop near the park, {area}",
    "Train station concourse",
    "Takeaway on the main road, {area}",
)

CLOSURE_NOTES = (
    "Returned safe. Prevention interview done; no further action.",
    "Safe and well. Information shared with partners.",
    "Closed after prevention interview; referral made.",
    "",
)

MARKER_DETAIL = {
    "cse": "Assessed by the CSE team; linked to older males in {area}",
    "cce": "Suspected involvement in county lines; found out of force before",
    "trafficking": "Referred to the National Referral Mechanism",
    "mental_health": "Known to the community mental health team",
    "self_harm": "History of self-harm and suicidal thoughts",
    "dementia": "Diagnosed dementia; may try to go to former addresses",
    "learning_disability": "Learning disability; needs simple questions",
    "autism": "Autistic; may not respond to their name",
    "substance_misuse": "Alcohol and drug use",
    "domestic_abuse": "Household known to domestic abuse services",
    "forced_marriage": "Forced marriage protection concerns recorded",
    "medical": "Needs daily medication",
}

MARKER_SOURCES = (
    "Children's social care",
    "Police intelligence",
    "Health",
    "Reporting person",
    "Care provider",
)


# --- Return home interviews: the independent interview offered on a child's return ------------------------

RHI_OFFER_NOTES = (
    "Phoned {relation} and spoke to {given}; agreed a time to meet",
    "Visited {place} and offered the interview in person",
    "Text message to {given} and a call to {relation}",
    "Offered through the school's pastoral lead",
    "Phoned {given} and offered to meet wherever {she} chooses in {area}",
    "",
)

_RHI_PUSH_CARE = (
    "Says the rules at {place} are stricter than at {hers} last placement and {she} feels watched all the time.",
    "Fell out with another young person at {place} and did not want to be there that night.",
    "Feels nobody listens when {she} asks to see {hers} family more often.",
    "Unhappy that {hers} key worker keeps changing; says there is nobody {she} trusts at {place}.",
)
_RHI_PUSH_HOME = (
    "Arguments at home about {topic}; says things have been worse for a few weeks.",
    "Finds it hard at home since {hers} parents separated.",
    "Worried about exams and says {she} is struggling at school.",
    "Being bullied at school and online and did not want to face it.",
)
_RHI_TOPICS = ("coming home late", "phone use", "friends", "school", "money", "a new partner at home")
_RHI_PULL = (
    "Wanted to spend time with friends in {area}.",
    "Wanted to see someone {she} is seeing; would not give their name.",
    "Heard about a party at a house in {area} on Snapchat.",
    "Friends were staying out and {she} did not want to be the one to go home.",
)
_RHI_PULL_CARE = ("Wanted to see {hers} birth family.",)
_RHI_PULL_CSE = ("Older males {she} met online offer lifts, vapes and alcohol.",)
_RHI_PULL_CCE = ("Older lads pay {her} to 'drop things off'; {she} says {she} owes them money.",)
_RHI_WITH_WHOM = {
    "Friends": "Friends from school",
    "Alone": "Alone",
    "Not disclosed": "Would not say",
    "Partner": "A boyfriend or girlfriend; first name only",
    "Older friends": "Older friends; would not give names",
}
_RHI_TRAVEL = (
    "On foot",
    "Bus into {area}",
    "Train",
    "Lifts from older friends",
    "A taxi someone else paid for",
    "Bike",
)
_RHI_DISCLOSURES = (
    "Said an older male gave {her} alcohol and a lift home.",
    "Said {she} was asked to carry a package to another town.",
    "Said {she} stayed at an address where adults were using drugs.",
    "Said someone {she} met online asked {her} for photos.",
    "Said {she} was given a phone and told to keep it switched on.",
)
_RHI_HARM = (
    "Bruising to the arm; says it happened in a fight.",
    "Was drunk and was sick; no injury.",
    "Cut hand, treated at home.",
)
_RHI_SUPPORT = (
    "Would like a mentor",
    "Help with a college place",
    "Wants to talk to someone about feeling low (CAMHS)",
    "Family mediation",
    "Support around healthy relationships",
    "Wants to see {hers} family more often",
)
_RHI_REFERRALS = (
    "Shared with the child's social worker",
    "Referred to early help",
    "Referral to the CSE team",
    "Referred to the children's social care duty team",
    "Referral to the youth offending service",
)
_RHI_VOICE = (
    "I just needed some space.",
    "Nobody listens to me there.",
    "I wasn't in danger, I was with my mates.",
    "I wanted to see my mum.",
    "I'll come back if they stop going on at me.",
    "I don't want to talk about who I was with.",
    "It was just a party, everyone was going.",
)


# Reporting relationships that are family (or a foster carer): "her mother", not "the mother".
_FAMILY = frozenset(
    (
        "Mother", "Father", "Grandmother", "Stepfather", "Aunt", "Older sister", "Foster carer", "Son",
        "Daughter", "Wife", "Husband", "Partner", "Sister", "Brother", "Friend", "Flatmate",
    )
)  # fmt: skip


def carer(s: Story) -> str:
    """The reporting person as the child's carer: 'her mother', 'the night support worker'."""
    relation = s.relation.lower()
    return f"{s.hers} {relation}" if s.relation in _FAMILY else f"the {relation}"


def rhi_offer_note(rng: random.Random, s: Story) -> str:
    return rng.choice(RHI_OFFER_NOTES).format(
        given=s.given, relation=carer(s), place=s.place, area=s.area, she=s.she
    )


def rhi_findings(rng: random.Random, s: Story, where_been: str, with_whom: str) -> dict[str, str]:
    """What a completed return interview found, field by field (returns.models.FINDING_FIELDS)."""
    care = s.kind in ("lac_home", "lac_foster")
    words = {"place": s.place, "area": s.area, "she": s.she, "her": s.her, "hers": s.hers}
    push = rng.choice(_RHI_PUSH_CARE if care else _RHI_PUSH_HOME)
    pulls = list(_RHI_PULL) + (list(_RHI_PULL_CARE) if care else [])
    if "cse" in s.markers:
        pulls += list(_RHI_PULL_CSE) * 3
    if "cce" in s.markers:
        pulls += list(_RHI_PULL_CCE) * 3
    exploited = bool({"cse", "cce", "trafficking"} & s.markers)
    disclosure = ""
    if rng.random() < (0.35 if exploited else 0.07):
        disclosure = rng.choice(_RHI_DISCLOSURES).format(**words)
    where = (
        f"Would not say where {s.she} went."
        if where_been in ("", "Would not say")
        else f"{where_been} in {s.area}."
    )
    return {
        "push_factors": push.format(topic=rng.choice(_RHI_TOPICS), **words),
        "pull_factors": rng.choice(pulls).format(**words) if rng.random() < 0.85 else "",
        "where_went": where,
        "with_whom": "Older males; first names only"
        if exploited and rng.random() < 0.4
        else _RHI_WITH_WHOM.get(with_whom, with_whom),
        "how_travelled": rng.choice(_RHI_TRAVEL).format(**words),
        "disclosures": disclosure,
        "harm": rng.choice(_RHI_HARM) if rng.random() < 0.05 else "",
        "support_needed": rng.choice(_RHI_SUPPORT).format(**words) if rng.random() < 0.7 else "",
        "referrals": rng.choice(_RHI_REFERRALS) if (disclosure or rng.random() < 0.3) else "",
        "child_voice": rng.choice(_RHI_VOICE) if rng.random() < 0.8 else "",
    }


def rhi_carer_account(rng: random.Random, s: Story) -> str:
    """Why the child went, where and with whom, as the carer tells it when the child declines."""
    who = carer(s)
    who = who[0].upper() + who[1:]
    return rng.choice(
        (
            f"{who} says {s.given} was at a friend's in {s.area} and came back by {s.her}self; "
            f"{s.she} did not want to talk about it.",
            f"{who} says {s.given} came back tired but unharmed and said {s.she} had 'just been out'.",
            f"{who} believes {s.given} was with an older friend; {s.she} will not talk to anyone about it.",
            f"{who} says {s.given} has been unsettled since a change at school and went to clear {s.hers} head.",
        )
    )


def rhi_not_possible_reason(rng: random.Random, s: Story) -> str:
    return rng.choice(
        (
            "Moved to a placement outside the area before the interview could take place; "
            "the new authority has been told.",
            f"Could not reach {s.given} or the carer after three attempts by phone and a home visit.",
            f"{s.given} went missing again before the interview; the next referral will pick it up.",
            "Admitted to hospital; the ward advised against an interview for now.",
        )
    )


# What an interview proposes for the person's record: (value, detail) for associates and places.
RHI_ASSOCIATES = (
    ("Male known as '{nickname}'", "Older associate"),
    ("{nickname} (surname not known)", "Older friend who drives"),
    ("Female known as '{nickname}'", "Friend met online"),
)
RHI_NICKNAMES = ("Kaz", "Zee", "Dee", "Smithy", "Tiny", "Jay", "Bigz", "Mo", "Lil T")
RHI_PLACES = (
    ("Flat above the takeaway on {street}, {area}", "Stayed overnight"),
    ("Garages behind the shops on {street}, {area}", "Meets older friends there"),
    ("House on {street}, {area}", "Parties at weekends"),
)
# Markers an interview may find evidence of, with what the proposal rests on.
RHI_MARKERS = (
    ("cse", "Disclosed in the return interview: gifts and lifts from older males"),
    ("cce", "Disclosed in the return interview: asked to carry packages"),
    ("substance_misuse", "Disclosed in the return interview: regular cannabis and alcohol use"),
    ("self_harm", "Disclosed in the return interview: recent self-harm"),
)
