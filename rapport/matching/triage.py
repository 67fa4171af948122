"""Triage: how urgent the words and answers of Find your match sound, and what to offer first.

`crisis_language.mentions_crisis()` says yes or no; one banner for everything
meant that a plan with means, voices telling someone to hurt themselves, and
a partner who hits them all got the same three buttons. This module sorts the
same words (and the questionnaire's answers) into levels of urgency, each
with the resource that fits it first (docs/matching.md, "Triage levels"):

1. IMMINENT: suicide or self-harm language with a plan, means, a time or
   intent, an act already started, or intent to kill someone: 988 and 911.
2. COMMANDS: voices (or God, a demon...) telling the person to hurt or kill
   themselves or someone else: urgent psychiatric evaluation, through 988
   or 911, today rather than at a first therapy appointment.
3. VIOLENCE: violence or threats at home now (not only in the past): the
   National Domestic Violence Hotline, with safe-browsing advice and a
   quick-exit link.
4. MEDICAL: an eating disorder with signs of medical danger (fainting,
   chest pain, vomiting blood, days without food), or alcohol or
   benzodiazepine withdrawal or a plan to stop suddenly: a medical check.
5. GENERAL: any crisis language (`mentions_crisis`), or choosing "Suicidal
   thoughts" or "Self-harm": 988, 911 and the Crisis Text Line, as before.

Like `mentions_crisis`, it is tuned for recall: the action (showing a phone
number first) costs little when wrong. It never blocks, never scores a
person, and its result is never stored: callers work it out from the
session's text each time a screen is drawn, and it must not reach a URL, a
log line or the database.

The lexicons were written together with the fixture that measures them
(evaluation/triage_phrases.toml), so the fixture's figures are figures on a
development set, not a promise about words nobody has written yet.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from rapport.core import crisis as crisis_config
from rapport.core.crisis_language import mentions_crisis
from rapport.core.text import fold


class Level(enum.IntEnum):
    """Most urgent first; `NONE` sorts last."""

    IMMINENT = 1
    COMMANDS = 2
    VIOLENCE = 3
    MEDICAL = 4
    GENERAL = 5
    NONE = 6

    @property
    def key(self) -> str:
        return self.name.lower()


# Issues (taxonomy slugs) that count as context for a level.
CRISIS_ISSUES = frozenset({"suicidal-thoughts", "self-harm"})
VIOLENCE_ISSUES = frozenset({"domestic-violence"})
EATING_ISSUES = frozenset({"eating-disorders", "binge-eating", "arfid"})
SUBSTANCE_ISSUES = frozenset({"alcohol-use", "substance-use", "dual-diagnosis"})
PSYCHOSIS_ISSUES = frozenset({"psychosis-schizophrenia"})


def _rx(*parts: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(parts) + r")\b")


def _fold(text: str) -> str:
    folded = fold(text)
    folded = re.sub(r"[’‘`´]", "'", folded)
    return re.sub(r"\s+", " ", folded)


# --- 1. Imminent risk --------------------------------------------------------------------------

_ME = r"(my ?self|myself|mi ?self|my self)"
_THEM = r"((him|her|them) ?sel(f|ves)|themselves)"
_MEDS = (
    r"(pills?|pils|meds|medications?|medicines?|tablets|tylenol|acetaminophen|paracetamol|advil|ibuprofen|aspirin|"
    r"excedrin|benadryl|xanax|ambien|klonopin|valium|ativan|oxy\w*|percocet|vicodin|fentanyl|heroin|insulin|lithium|"
    r"seroquel|sleeping pills?|antidepressants?|prescriptions?|pastillas)"
)
# Wanting to die or to hurt oneself (or someone else saying so): the context that makes a means or a time urgent.
_SELF_HARM = _rx(
    r"su+i+c+i*d\w*", r"su[ic]{1,3}[ie]?d\w*", r"suis+id\w*", r"sucid\w*", r"suicid\w*",
    rf"kill(ing|ed)? ?{_ME}", rf"kil+ {_ME}", rf"kill(ing|ed)? {_THEM}", r"kms", r"unaliv\w*", r"sewer ?slide",
    r"(end|ending|finish|finishing) (it|it all|my life|my lyfe|things|everything|this|myself)", r"end (his|her|their) (life|lives|own life)",
    r"take (my|his|her|their) (own )?life", r"taking (my|his|her|their) (own )?life", r"(die|dying|death|deth)",
    r"dead(?! (tired|serious|end|set|wrong|last|on|center|beat))",
    r"not (be )?(here|around|alive) (anymore|tomorrow|much longer|by)", r"won'?t be (here|around)", r"(i'?ll|i will) be gone",
    r"(never|not) wake up", r"(survive|make it through) the night", rf"(hang|hanging|hung) {_ME}", r"noose",
    rf"(shoot|shooting|shot|stab|stabbing|cut|cutting|burn|burning|hurt|hurting|harm|harming|drown|drowning|poison|poisoning|starve|starving) ?{_ME}",
    r"slit\w*", r"cut (my )?(wrists?|throat|arms?|deep|deeper)", r"(cut|cutting) (too )?deep\w*", r"until it'?s over",
    r"overdos\w*", r"\bod\b", r"jump(ing)? (off|from|in front)", r"in front of (a|the) (train|truck|bus|car)",
    r"walk(ing)? into traffic", r"(drive|driving|crash|crashing) (my car )?(off|into)", rf"(use|using) (it|them|the \w+|a \w+) on {_ME}",
    r"self[- ]?harm\w*", r"goodbyes?", r"good bye", r"bye forever", r"last (goodbye|message|text|post)",
    r"(better|easier) off (dead|without me)", r"no reason to (live|go on)", r"can'?t go on", r"tired of (living|life|being alive)",
    r"no (point|reason) (in )?(living|going on)", r"end (the|my) pain (for good|forever)", r"i'?m done(?=[.!])",
    rf"off {_ME}", r"(drink|drinking) (the |some )?(bleach|antifreeze|poison)",
    r"(want|wanna|wanted|ready) to (go|be gone|disappear) (for good|forever)", r"wish i (was|were) dead",
    rf"(shoot|shooting|hang|hanging|stab|stabbing|cut|cutting|hurt|hurting|drown|drowning|poison|poisoning|off) {_THEM}",
    # Indirect words: only urgent with a time, a means or a plan (see `_imminent`).
    r"before i go\b", r"made (my )?peace", r"it (happens|ends) (tonight|today|tomorrow|soon)", r"(don'?t|not) wake up", r"be gone",
    r"(swallow|take|taking|swallowing) everything", r"drive (it )?in\b", r"can'?t (do|take) (this|it) (any ?more|much longer)",
    r"(no one|nobody) will (miss|notice|care)", r"sorry for everything", r"(this is|tonight is|today is) (the|my) last (night|day)",
    r"(after|when|once) i'?m (gone|dead)", r"on purpose", r"(crash|crashing|wreck|wrecking) (my|the) car", r"tired of (it all|everything)",
    # Spanish
    r"matar(me|se)", r"(me voy a|quiero|se va a|va a|quiere) (matar|suicidar)", r"suicid\w*", r"quitar(me|se) la vida", r"morir(me)?",
    r"muerte", r"acabar con (todo|mi vida|esto)", r"terminar con (todo|mi vida)", r"hacerme dano", r"cortarme",
    r"ahorcar(me)?", r"tirarme", r"tirar (del|de un|de la|por la)", r"aventarme", r"despedir\w*", r"ya no (quiero )?estar aqui", r"ya no aguanto",
)  # fmt: skip
_PLAN = _rx(
    r"(have|got|made|make|making|came up with|worked out|figured out|thought out|made up) (a|the|my) (plan|date|method)",
    r"(have|got) it (all )?(planned|figured out|worked out)", r"plan(ned|ning)? (to|how|when|where|it|out|on|the)",
    r"(a|my|the) plan\b", r"plan(s|ned|ning)?", r"(i )?know how\b", r"the means",
    r"(wrote|written|writing|left|leaving|finished) (a |my |the |some )?(goodbye )?(note|notes|letter|letters|will)",
    r"(note|letter|letters|notes) (to|for) (my|everyone|the)", r"(said|saying|say) (my )?goodbyes?",
    r"(updated|wrote|made|make|making) (my|a) will", r"wrote .{0,15}(a |my )?(letter|note)s?", r"(searched|googled|looked up|looking up|researching|researched) (how|ways|methods|what dose|the dose|lethal)",
    r"how (much|many) (pills|tablets|it takes)", r"(tengo|hice) un plan", r"ya (se|tengo) (como|cuando|donde)",
)  # fmt: skip
# A plan that is a plan to die on its own, or with a means or a time (no death word needed).
_PLAN_STRONG = _rx(
    r"(have|got|made|making) (a|the|my) plan(?=\s*($|[.,;!]|and\b|to (die|end|kill|do it|go through)))",
    r"(have|got) it (all )?planned (for|on|out for)", r"(picked|chose|chosen|set|decided on) (a|the) (date|day|time)",
    r"know (exactly )?(how|when|where) (i'?d|i'?ll|i will|i'?m going to|im going to) do it", r"know which (bridge|pills|way|building|day)",
    r"(updated|wrote|made) my will", r"(wrote|written|writing|left) (goodbye )?(notes|letters) to (my|everyone)",
    r"had a plan .{0,30}still (have|got) it", r"know which (tree|bridge|pills|way|building|day|spot)",
)  # fmt: skip
_STRONG_IMMINENT = _rx(
    r"suicide note", r"goodbye (note|letter|letters|notes)", r"tonight'?s the night", r"(have|got) a plan to (kill|end|die)",
    r"(giving|gave|give|given) away (my|all my|his|her|their|all her|all his) (things|stuff|belongings|possessions|pets?|cat|dog)",
    r"lethal doses?", r"carta de despedida", r"know exactly how (i'?d|i'?ll|i will|to) do it", r"(picked|chose|chosen|decided on) (a|the) (method|way|bridge|spot)",
    r"stockpil\w*", rf"(saving|saved|hoarding|hoarded|collecting|collected|stashing|stashed|been saving) (up )?(my |some |all my |enough )?{_MEDS}",
    rf"{_MEDS} (are |is )?(counted out|lined up|laid out|saved (up )?for)", r"almost did it",
    r"(tried|attempted) .{0,30}(going to|gonna|will) (try|do it) again",
    r"(the|my) (suicide )?(note|letter) is (written|done|ready|finished)", r"enough (\w+ )?to (do it|end it|die|kill|not wake up|overdose)",
)  # fmt: skip
_MEANS = _rx(
    r"guns?", r"pistol\w*", r"rifle\w*", r"shot ?gun\w*", r"firearms?", r"hand ?guns?", r"revolver", r"bullets?", r"ammo", r"glock",
    r"ropes?", r"noose", r"belt", r"cord", r"extension cord", _MEDS, r"bottle", r"knife", r"knives", r"razors?", r"blades?",
    r"box cutter", r"bridge", r"roof", r"rooftop", r"ledge", r"cliff", r"balcony", r"train tracks", r"tracks", r"overpass",
    r"parking garage", r"top floor", r"(tallest |tall )?building", r"carbon monoxide", r"exhaust", r"garage", r"charcoal", r"helium", r"bleach", r"antifreeze",
    r"poison", r"drano", r"the means", r"medicine cabinet", r"tree", r"lake", r"river", r"pistola", r"arma", r"cuerda", r"cuchillo", r"navaja", r"puente", r"veneno", r"azotea", r"cloro",
)  # fmt: skip
_TIME = _rx(
    r"tonight", r"tonite", r"2nite", r"today", r"2day", r"tomorrow", r"tmrw", r"tmr", r"this (weekend|week|morning|afternoon|evening)",
    r"right now", r"rn", r"soon", r"after (work|school|class|dinner|my shift)", r"after (they|everyone|the kids|my (wife|husband|mom|dad|parents|roommate)) (leave|leaves|go|goes|fall|are)",
    r"when (they|everyone|the kids|my (wife|husband|mom|dad|parents|roommate)) (leave|leaves|go|goes|fall|are)",
    r"before (morning|sunrise|they get home|anyone wakes up)", r"by (the )?morning", r"in (an|one|a few|two|\d+) (hour|hours|minutes|days)",
    r"(monday|tuesday|wednesday|thursday|friday|saturday|sunday)", r"on my birthday", r"after my birthday",
    r"last (night|day)", r"(the|my) last day", r"(tonight|today)'?s the (night|day)", r"it'?s time", r"i'?m ready", r"when i'?m ready",
    r"esta noche", r"hoy", r"manana", r"ahora mismo", r"este fin de semana", r"pronto", r"ya es hora",
)  # fmt: skip
# "going to", "gonna"... followed closely by self-harm language (see `_intends`).
_MODAL = _rx(
    r"going to", r"gonna", r"goin to", r"gona", r"imma", r"i'?ll", r"i will", r"\bill", r"about to", r"bout to", r"decided to",
    r"ready to", r"plan to", r"planning to", r"intend to", r"want to do it", r"will", r"me voy a", r"voy a",
)  # fmt: skip
_NOT_INTENT = re.compile(
    r"(not|never|n'?t|afraid|scared|worried|fear|fears|terrified|worry|worries|what if)\W+(\w+\W+){0,2}$"
)
_INTENT = _rx(
    r"(going to|gonna|imma|i'?ll|i will|about to|ready to) (take|inject|swallow|drink|use) (all|every|the whole|my whole|them all)",
    r"(going to|gonna|i'?ll|i will) (use|do) (it|them) (tonight|today|tomorrow|soon|now)",
    r"(made up|make up) my mind", r"decided (to die|to end|it'?s time|tonight|today|i'?m done|there'?s no)", r"(my|the) decision (is|has been) made",
    r"this is (it|the end|goodbye|my last)", r"(i'?m|im|i am) (done|finished) (with )?(living|life|everything|it all)",
    r"(won'?t|will not|not going to|wont) (be here|see|make it to|wake up|survive) (tomorrow|next|the|much|by|this)",
    r"(going to|gonna|i'?ll|i will) (do it|jump|overdose|od|unalive)", r"about to do it", r"i'?m going to do it",
    r"ya (lo )?decidi", r"hoy (me|lo) (mato|hago|termino)", r"(voy a|me voy a) (tomar|tragar) (todas|toda|todo)",
)  # fmt: skip
_ACT = _rx(
    r"(took|swallowed|downed|ate|popped|just took|already took|have taken|i'?ve taken) (\d+|all|a (bunch|handful|lot|ton|bottle|whole)|the whole|every|my whole|half the|twenty|thirty|forty|fifty|too many|way too many)",
    r"already (cut|took|started|hurt|swallowed|tried|did)", r"just (cut|tried to|overdosed|od'?d)",
    r"(bleeding|blood) (a lot|badly|everywhere|won'?t stop)", r"(won'?t|wont|can'?t|cant|cannot) stop (the )?bleeding", r"it won'?t stop bleeding",
    r"(drank|drinking) (the |some |a )?(bleach|antifreeze|poison|drano)", r"drink (bleach|antifreeze) to die",
    r"(sitting|sat|i'?m) in (the|my) (car|garage) with", r"(car|engine) (is )?running in the garage",
    r"(is|are|i'?m|im|standing|sitting) (on|at) (the|a) (bridge|roof|ledge|edge|train tracks|tracks|balcony|balcony rail|cliff)(?! (club|game|party))",
    r"(in|on) the (bathtub|bath|tub|bathroom floor) with (a|the|my) (razor|knife|blade|pills|gun)",
    r"(holding|have|got|i'?m holding|with) (the|a|my|his|dad'?s) (gun|knife|rope|pills|razor|blade) (in my hand|right here|right now|next to me|with me|ready|loaded|now|in my lap|to my head)",
    r"(gun|pistol|rifle) (is )?(loaded|in my (hand|lap|mouth))", r"(gun|knife|rope|pills|razor|blade) (is |are )?in my (hand|hands|lap|mouth)", r"loaded (the|my|a) (gun|pistol|rifle)", r"(tied|tying|hung|hanging up) (the|a) (rope|noose)",
    r"(put|putting|hold|holding|held) (it|a|the|my|his) (gun|pistol|rifle|knife) to my (head|throat|chest|wrist)",
    r"(me tome|tome|me trague|trague) (todas|muchas|\d+|un frasco|toda)", r"(estoy|ando) sangrando",
)  # fmt: skip
_HARM_OTHERS = _rx(
    r"(going to|gonna|imma|i'?ll|i will|about to|ready to|plan to|planning to|decided to|i'?m gonna) (kill|shoot|stab|murder|strangle|poison) my \w+",
    r"(going to|gonna|imma|i'?ll|i will|about to|ready to|plan to|planning to|decided to|i'?m gonna) (kill|shoot|stab|murder|strangle|poison|hurt) (him|her|them|my (\w+ )?(husband|wife|partner|boyfriend|girlfriend|ex|boss|dad|father|stepfather|stepdad|mom|mother|stepmother|baby|kids|son|daughter|roommate|neighbor|coworker|family|brother|sister|teacher|landlord)|someone|somebody|people|everyone|everybody)",
    r"(bought|got|have|loaded) (a|the|my) (gun|rifle) (for|to use on|to (kill|shoot)) (him|her|them|my|someone|people)",
    r"shoot up (the|my|a) (school|office|work|place|church)", r"(voy a|lo voy a|la voy a) (matar|matarlo|matarla)",
    r"(hurt|harm|kill|smother|drown|shake) (my|the) (baby|newborn|son|daughter|kids?|child|children) (tonight|today|now|soon|and)",
)  # fmt: skip
# A medication with a number ("40 tylenol", "a bottle of advil"): a means with a quantity.
_QUANTITY = re.compile(
    r"\b(\d{2,}|a (whole )?bottle of|all (of )?my|a handful of|(twenty|thirty|forty|fifty|hundred))\s*(mg\s*)?(of\s*)?(my |his |her )?(\w+'s )?"
    + _MEDS
    + r"\b"
)
_PAST = _rx(
    r"years ago",
    r"(months|years) back",
    r"in recovery",
    r"used to",
    r"when i was (a |in )?\w+",
    r"back then",
    r"in (high school|college)",
)
_NEGATED_PLAN = re.compile(
    r"\b((don'?t|do not|dont|never) (have|had|made) (a|any) plan|no plan|without a plan)\b"
)


# Getting a weapon or a rope, in a form about therapy, is worth 988 and 911 first.
_ACQUIRE = _rx(
    r"(bought|buying|buy|got|getting|grabbing|grab|loaded|loading|picked up|picking up) (a|my|the|his|her|\w+'?s) (\w+'?s )?(gun|shotgun|pistol|rifle|handgun|rope|noose)(?! (safe|lock|case|cabinet|license|permit))"
)
_HUNTING = re.compile(
    r"\b(?<!not )(for|go|going|went|to) (hunting|the range|the shooting range|skeet|target practice)\b"
)


def _intends(t: str) -> bool:
    """'going to kill myself', 'gonna end it': intent, unless negated or feared ('I'm afraid I'll hurt myself')."""
    for modal in _MODAL.finditer(t):
        if _NOT_INTENT.search(t[max(0, modal.start() - 30) : modal.start()]):
            continue
        if _SELF_HARM.search(t[modal.end() : modal.end() + 45]):
            return True
    return False


def _imminent(t: str) -> bool:
    t = _NEGATED_PLAN.sub(" ", t)
    if _ACT.search(t) or _INTENT.search(t) or _HARM_OTHERS.search(t) or _STRONG_IMMINENT.search(t):
        return True
    if _intends(t):
        return True
    if _ACQUIRE.search(t) and not _HUNTING.search(t):
        return True
    means = bool(_MEANS.search(t) or _QUANTITY.search(t))
    if _PLAN_STRONG.search(t) and (means or _TIME.search(t) or len(_PLAN_STRONG.findall(t)) > 1):
        return True
    quantity = _QUANTITY.search(t)
    if quantity and not re.search(r"\b(take|takes|taking|prescribed)\W+$", t[: quantity.start()]):
        return True
    if not _SELF_HARM.search(t):
        return False
    if _PAST.search(t) and not _TIME.search(t):
        return False  # "I had a suicide plan years ago, I'm in recovery now"
    return bool(_PLAN.search(t) or means or _TIME.search(t))


# --- 2. Voices or other commands to harm ------------------------------------------------------

_VOICE = _rx(
    r"voices?", r"voicez", r"voises?", r"voces", r"una voz", r"la voz",
    r"god", r"jesus", r"the lord", r"the devil", r"satan", r"lucifer", r"demons?", r"demonic", r"angels?", r"spirits?", r"ghosts?",
    r"the (tv|radio|television)", r"aliens?", r"dios", r"el diablo", r"demonios?", r"espiritus?",
    r"something (in|inside) my (head|mind)", r"someone (in|inside) my (head|mind)", r"in my head", r"en mi cabeza",
    r"hallucinat\w*", r"command hallucinations?", r"(hear|hearing|heard) (a |the )?commands?",
)  # fmt: skip
_COMMAND = _rx(
    r"tell\w*", r"told", r"say\w*", r"said", r"order\w*", r"command\w*", r"instruct\w*", r"wants? me to", r"want me to",
    r"make me", r"making me", r"urg\w*", r"scream\w* (at me )?(to|that)", r"whisper\w* (to me )?(to|that)", r"demand\w*",
    r"insist\w*", r"send\w* (me )?messages?", r"want\w* me dead", r"grita\w*", r"push\w* me to", r"yell\w* (at me )?(to|that)", r"keep (telling|saying)", r"repeat\w*",
    r"dice\w*", r"dicen", r"dijo", r"ordena\w*", r"manda\w*", r"quieren? que", r"piden?",
)  # fmt: skip
_HARM_WORD = _rx(
    r"kill\w*", r"kil", r"hurt\w*", r"harm\w*", r"cut\w*", r"stab\w*", r"burn\w*", r"jump\w*", r"die", r"dying", r"dead",
    r"end (it|my life|myself|things)", r"punish\w*", r"attack\w*", r"shoot\w*", r"drown\w*", r"poison\w*", r"hang\w*",
    r"starve\w*", r"(drive|walk) into traffic", r"walk into (the )?(ocean|sea|lake|river|water)", r"on fire", r"fire",
    r"punch\w*", r"hit\w*", r"beat\w*", r"get rid of (her|him|them|my|the|it)", r"choke\w*", r"strangle\w*", r"smother\w*", r"bad things", r"something bad", r"sacrific\w*",
    r"matar\w*", r"mate", r"mates", r"muera", r"morir\w*", r"dano", r"lastim\w*", r"cortar\w*", r"corte", r"tire", r"herir", r"castig\w*", r"tirarme",
)  # fmt: skip
_VOICE_NOT = _rx(
    r"voice (lessons?|teacher|coach|actor|acting|over|memo|message|note|notes|recording|mail)",
    r"voicemail",
)


def _commands(t: str, psychosis_issue: bool) -> bool:
    t = _VOICE_NOT.sub(" ", t)
    for voice in _VOICE.finditer(t):
        window = t[voice.start() : voice.end() + 90]
        if _COMMAND.search(window) and _HARM_WORD.search(window):
            return True
        # "kill myself, the voices say": the command may come first.
        before = t[max(0, voice.start() - 60) : voice.end() + 25]
        if _COMMAND.search(before) and _HARM_WORD.search(before):
            return True
    if psychosis_issue:
        # With "Psychosis & schizophrenia" chosen, "they tell me to hurt myself" is enough.
        return bool(re.search(_COMMAND.pattern + r".{0,40}" + _HARM_WORD.pattern, t))
    return False


# --- 3. Violence at home now -------------------------------------------------------------------

_WHO = (
    r"(he|she|they|him|her|my (\w+ )?(husband|hubby|wife|partner|boyfriend|girlfriend|bf|gf|fiance|fiancee|spouse|ex|ex-husband|"
    r"ex-wife|ex-boyfriend|ex-girlfriend|dad|father|mom|mother|stepdad|stepfather|stepmom|stepmother|brother|sister|son|"
    r"daughter|uncle|aunt|grandpa|grandfather|roommate|family|parents?|in-laws?|baby ?daddy|baby'?s father|man|abuser))"
)
_HITS = (
    r"(hits|beats|chokes|slaps|punches|kicks|shoves|pushes|strangles|rapes|abuses|hurts|threatens|attacks|bites|burns|drags|smacks|"
    r"grabs|throws things at|spits on|pins|forces)"
)
_HITTING = (
    r"(hitting|beating|choking|slapping|punching|kicking|shoving|pushing|strangling|raping|abusing|hurting|threatening|attacking|"
    r"stalking|following|tracking|smacking|grabbing|harassing)"
)
_ABUSE_NOW = _rx(
    rf"{_HITS} me", rf"(?<!was )(?<!were )(?<!used to be ){_HITTING} me", rf"(still|keeps|always|constantly) {_HITS}",
    r"threaten\w* to (kill|hurt|shoot|take (the|my|our) (kids|children|baby)|burn|end)", r"threatens me",
    rf"{_WHO}('ll| will|'s going to| is going to|'s gonna| is gonna| gonna| would| might) (kill|hurt|beat|shoot) me",
    r"(scared|afraid|terrified|scared to death) (to go|of going|to be|to stay|to sleep) (back )?(at )?home(?! for (the )?(holidays?|christmas|thanksgiving|break|summer|vacation))",
    r"(scared|afraid|terrified) (of|for) my (life|safety)", r"afraid for my life", r"(scared|afraid|terrified) (he|she|they) (will|'ll|is going to|might) (kill|hurt)",
    r"(scared|afraid|terrified) (of|when) (my (husband|wife|partner|boyfriend|girlfriend|bf|gf|dad|father|stepdad|mom|mother)|him|her) .{0,30}(drinks|gets (angry|mad|home)|comes home|temper|hurt|hit|kill)",
    r"(won'?t|doesn'?t|does not|will not|wont|never) let me (leave|go out|go anywhere|see|talk|have|work|use|call|get a job|out of (his|her) sight)",
    r"controls? (all )?(my|the|our) (money|phone|bank|car|everything|life)", r"(takes|took|checks|tracks|monitors|reads|smashed|broke|hides|hid) my (phone|texts|location|messages|keys|car keys|passport|id|money)",
    r"locks? me (in|out)", r"locked me (in|out)", r"(don'?t|do not|dont|never) feel safe (at home|with (him|her|my))", r"not safe (at home|in my (home|house))",
    r"(live|living|stuck|trapped) with (my|an?) (abuser|abusive|violent)", r"abuser (lives|is living|still lives) with me",
    r"(i'?m|i am|im) in an? (abusive|violent) (relationship|marriage|home)",
    r"my (husband|wife|partner|boyfriend|girlfriend|bf|gf|dad|father|stepdad|mom|mother|fiance) is (abusive|violent|hurting me|dangerous)",
    r"(is|are) violent with me", r"(bruises|black eye|marks) (from|on my (neck|arms|face))", r"(hide|hiding|cover|covering) (the )?(bruises|marks)",
    r"gave me a (black eye|bruise|concussion|split lip|fat lip)", r"forc\w* me (to|into)",
    rf"(keeps|keep|still|always|constantly) {_HITTING}", r"(keeps|keep) showing up at my", r"(hands?) (around|on) my (neck|throat)",
    r"(scared|afraid|terrified) (of )?what (he|she|they)('ll| will| might| would) do", r"(find|hunt) me (down )?and (kill|hurt)",
    r"(he|she|they)('ll| will| might| would| is going to|'s going to) (hurt|kill|take) (me|our|the|my) (kids|children|baby)",
    r"(can'?t|cannot) (leave|get away from) (him|her|them|my)", rf"{_HITS} (my )?(kids|children|the kids|the baby|my mom|my mother)",
    r"walking on eggshells.{0,40}(hit|hurt|violent|scared)", r"(he|she|they) (put|puts|held|holds|pointed|points) (a|the|his|her) (gun|knife) (at|to) (me|my)",
    r"being (abused|hurt|hit|beaten|controlled|threatened|choked|raped|stalked)(?! as a)", r"domestic (violence|abuse) (at|in) (my |our )?(home|house)",
    r"(violence|abuse) (at|in) (my |our )?(home|house)",
    # Spanish
    r"me (pega|golpea|pegan|golpean|amenaza|amenazan|maltrata|maltratan|ahorca|empuja|patea|viola|lastima|encierra)",
    r"(tengo|me da) miedo (de )?(volver|regresar|ir|estar) (a )?(la |mi )?casa", r"no me deja (salir|ver|trabajar|hablar|usar|tener|ir)",
    r"me va a matar", r"me quiere matar", r"violencia (domestica|en (mi )?casa)", r"me (quito|revisa|controla) (el|mi) (telefono|celular|dinero)",
    r"no estoy (a salvo|segura|seguro) en (mi )?casa", r"tengo miedo de mi (esposo|marido|pareja|novio|novia|esposa|papa|padre)",
)  # fmt: skip
_ABUSE_PAST = _rx(
    r"(hit|beat|beaten|choked|slapped|punched|kicked|shoved|pushed|strangled|raped|attacked|threatened|hurt|grabbed|bruised|smacked|abused|assaulted|stabbed|burned|pinned|dragged|bit|scratched) me",
    r"(broke|fractured) my (nose|arm|wrist|rib|ribs|jaw|finger)", r"(slammed|smashed|banged|hit) my (head|face)", r"(threw|pushed|slammed) me (into|against|down|to the)", r"was (abusive|violent|hitting me|beating me)",
    r"(abusive|violent) (ex|relationship|marriage|husband|boyfriend|girlfriend|wife|father|dad|partner|home|household)",
    r"(me pego|me golpeo|me ahorco|me amenazo|me maltrato|me empujo|me violo)", r"me pegaba", r"me golpeaba",
)  # fmt: skip
_RECENT = _rx(
    r"last night", r"yesterday", r"this (morning|week|weekend|afternoon|evening)", r"today", r"tonight", r"again", r"last (week|weekend|month)",
    r"the other (day|night)", r"(a few|two|three|couple) days ago", r"(an|one|a few) hours? ago", r"on (monday|tuesday|wednesday|thursday|friday|saturday|sunday)",
    r"every (day|night|week|time)", r"whenever", r"when (he|she) (drinks|gets)", r"right now", r"(he|she|they) still", r"anoche", r"ayer", r"hoy", r"otra vez", r"esta semana",
)  # fmt: skip
_HISTORY = _rx(
    r"used to", r"years ago", r"(when i was|as a|as) (a )?(kid|child|teen|teenager|little|young|girl|boy|younger)", r"in the past",
    r"(left|divorced|escaped|got away from|broke up with) (him|her|them|that|my|the|an?)", r"(i'?m|i am|im) (safe|out) now", r"no longer",
    r"(years|months) (later|since)", r"back then", r"growing up", r"grew up", r"former", r"my late", r"finally (out|free|safe|left)", r"got out",
    r"long (ago|time ago)", r"my childhood", r"in (high school|college)", r"(decade|decades) ago", r"safe now", r"hace (anos|mucho)",
    r"cuando (era|yo era) (nina|nino|chica|chico|joven)", r"ya (estoy|me siento) a salvo", r"(lo|la) deje", r"survivor",
)  # fmt: skip
# "he has never hurt me": not violence.
_NEVER = re.compile(
    r"\b(never|hasn'?t|has not|didn'?t|did not|doesn'?t|does not|would never|wouldn'?t) (ever )?(hit|hurt|hits|hurts|touched|laid a hand on)( me)?\b"
)


def _violence(t: str, violence_issue: bool) -> bool:
    t = _NEVER.sub(" ", t)
    if _ABUSE_NOW.search(t):
        return True
    history = bool(_HISTORY.search(t))
    if _ABUSE_PAST.search(t):
        return bool(_RECENT.search(t)) or not history
    # Chose "Domestic & intimate partner violence" and did not say it is over: the
    # hotline and the quick exit cost nothing, and an abuser may check the phone.
    return violence_issue and not history


# --- 4. Medical risk: eating disorders, alcohol or benzodiazepine withdrawal ----------------------

_EATING = _rx(
    r"anorexi\w*", r"anorex\w*", r"bulimi\w*", r"eating disorders?", r"\bed\b", r"purg\w*", r"binge\w*", r"restrict\w*",
    r"throw(ing|n)? up", r"threw up", r"make myself (throw up|sick|vomit|puke)", r"puk\w*", r"vomit\w*", r"laxatives?", r"diuretics?",
    r"diet pills", r"starv\w*", r"not eat(ing)?", r"(haven'?t|hasn'?t|havent|hasnt) (been )?eat(en|ing)", r"stopped eating", r"(don'?t|doesn'?t) eat",
    r"(barely|hardly|rarely|only) eat\w*", r"(can'?t|won'?t) eat", r"eat(ing)? (almost |basically )?nothing", r"calories", r"fasting",
    r"arfid", r"weight", r"bmi", r"skinny", r"food", r"meals?", r"(ate|eat) nothing", r"eating",
    r"eat(ing)? (one|1|only one|a single) (\w+ )?(a|per) day", r"one (meal|apple|\w+) a day",
    r"no (como|come|he comido|ha comido)", r"deje de comer", r"sin comer", r"laxantes", r"atracon\w*", r"comida", r"peso",
)  # fmt: skip
_HEART = (
    r"heart\w*( rate)? (is |feels |does |keeps )?(really |so |very |always )?"
    r"(racing|races|race|pounding|pounds|skip\w*|flutter\w*|slow|low|weird|strange|irregular\w*|hurts|stops|stopping|beat\w* (weird|funny|irregular\w*|slow\w*|fast|strange))"
)
_EATING_DANGER = _rx(
    r"faint\w*", r"pass(ed|ing|es)? out", r"black(ed|ing)? out", r"collaps\w*", r"dizz\w*", r"lightheaded", r"light[- ]headed", r"chest pains?",
    _HEART, r"irregular heart\w*", r"(pulse|heart ?rate) (is |of |was |in the )?([1-4]\d)\b", r"palpitations?", r"(slow|low) (heart ?rate|pulse|heartbeat)", r"low (potassium|sodium|blood pressure|blood sugar|electrolytes)",
    r"(potassium|sodium|electrolytes?) (was|is|were|are|levels? (are|were|is|was)) (low|off|dangerously)", r"electrolyte\w*",
    r"(vomit\w*|throw\w* up|threw up|puk\w*) (blood|bloody)", r"blood (in|when) (i|my) (throw|vomit|puke)", r"(throat|mouth|gums) bleed\w*",
    r"(haven'?t|have not|havent|hasn'?t|has not|not|didn'?t|did not) (been )?(eaten|eating|eat|had food|had anything) (anything )?(in|for) (\d+|a|two|three|four|five|six|seven|several|many|days|over a)",
    r"\d+ days without (food|eating)", r"days without (food|eating)", r"(only|just) (drink|drinking|had|have) water",
    r"(can'?t|cannot|cant) (stand up|get up|stay warm|climb (the )?stairs)", r"(weak|exhausted|shaky) from (not eating|starving|purging|throwing up|restricting)",
    r"(periods?|period) (stopped|has stopped|hasn'?t come|gone)", r"lost (\d+|so much|a lot of) (lbs|pounds|kg|kilos|weight) (in|this|since|fast|quickly)",
    r"bmi (is |of )?(1[0-5]|[5-9])", r"(purg\w*|throw\w* up|vomit\w*|puk\w*) (\d+|several|many|five|six|seven|eight|ten|\w+ or \w+) times (a|per|every) day",
    r"(purg\w*|throw\w* up|vomit\w*) (after )?every (meal|time i eat|single meal)", r"(took|taking|take) (a whole box|\d+|boxes|dozens) (of )?laxatives",
    r"(take|taking) laxatives every day", r"seizures?", r"convuls\w*", r"confus\w*", r"(hands|legs|body) (are )?(numb|tingling|shaking)",
    r"numb and tingling", r"muscle (cramps|spasms)", r"(hair|teeth) (is |are )?(falling|coming) out", r"feel like my heart",
    r"(can'?t|cannot) feel my (hands|feet|legs)", r"desmay\w*", r"mare(o|ada|ado|os)", r"dolor (en el|de) pecho",
    r"(vomito|vomitar) sangre", r"el corazon (se me )?(acelera|late)", r"no (he )?comido (en|por) (\d+|varios|dias|una semana)",
    r"(\d+|varios|muchos) dias sin comer",
)  # fmt: skip
# Days without food are a reason for a medical check whatever the cause.
_STARVING = _rx(
    r"(haven'?t|have not|havent|hasn'?t|has not|hasnt|not|didn'?t) (been )?(eaten|eating|had (any )?food|eat(en)? anything) (anything |much )?(in|for) (\d+|two|three|four|five|six|seven|several|many|days|a week|weeks|over a)",
    r"\d+ days without (food|eating)", r"(\d+|varios|muchos) dias sin comer", r"no (he )?comido (en|por) (\d+|varios|dias|una semana)",
)  # fmt: skip
_BENZO = r"(benzo\w*|xanax|klonopin|valium|ativan|alprazolam|clonazepam|lorazepam|diazepam|librium|chlordiazepoxide|bars|xannies|zannies)"
_SUBSTANCE = _rx(
    r"alcohol\w*", r"drink\w*", r"drank", r"drunk", r"booze", r"beers?", r"vodka", r"wine", r"liquor", r"whiske?y", r"tequila", r"rum",
    r"a fifth", r"fifths", r"handle of", r"sober\w*", r"detox\w*", _BENZO, r"downers",
    r"beber", r"tomar", r"tomo", r"trago\w*", r"cerveza\w*", r"pastillas",
)  # fmt: skip
_WITHDRAWAL = _rx(
    r"withdraw\w*", r"w/d", r"the shakes", r"shak(e|es|ing|y)", r"tremor\w*", r"trembl\w*", r"seizures?", r"seizing", r"fits",
    r"seeing (things|bugs|spiders|stuff)", r"hallucinat\w*", r"(night )?sweat\w*", r"cold turkey", r"heart (racing|pounding)", r"confus\w*",
    rf"(stop|stopped|stopping|quit|quitting|come off|coming off|came off|get off|getting off|took myself off|taking myself off|tapering off) (my |the )?{_BENZO}",
    rf"(ran|run|running) out of (my )?(prescription )?{_BENZO}", r"(quit|quitting|stop|stopping|coming off|come off|came off) (alcohol|booze|liquor)", r"ran out\b", r"detox\w* .{0,25}(at home|myself|on my own|alone|by myself)",
    r"(need|have) (a )?drink (in the morning|to stop (the )?shaking|to function|to stop)", r"morning drink\w*",
    r"temblor\w*", r"tembl\w*", r"tiembl\w*", r"convulsi\w*", r"abstinencia", r"sin tomar", r"sudor\w*",
)  # fmt: skip
# Named on their own, these are withdrawal from alcohol or a benzodiazepine.
_WITHDRAWAL_ITSELF = _rx(
    r"dts", r"d\.t\.s", r"delirium tremens", r"withdrawal seizures?", r"(alcohol|benzo|xanax|klonopin|ativan|valium) withdrawal\w*",
    r"keep having the shakes", r"the shakes",
)  # fmt: skip
_HEAVY = _rx(
    r"(a )?fifth", r"(a )?handle", r"every (day|night|two days)", r"daily", r"all day", r"(\d+|twelve|a dozen|a case of) (beers|drinks|shots)",
    r"bottles? of (vodka|wine|whiskey|liquor|tequila) (a|per|every) (day|night)", r"heavy drinker", r"drink (a lot|heavily)", r"for years",
)  # fmt: skip
_STOP = _rx(
    r"(want|going|need|plan|planning|trying) to (stop|quit|get off|come off)", r"(stop|quit|stopped|quitting|stopping) (drinking )?(today|tomorrow|yesterday|this weekend)",
    r"i quit today",
)  # fmt: skip


def _medical(t: str, eating_issue: bool, substance_issue: bool) -> frozenset[str]:
    kinds = set()
    if (_EATING_DANGER.search(t) and (eating_issue or _EATING.search(t))) or _STARVING.search(t):
        kinds.add("eating")
    substance = substance_issue or bool(_SUBSTANCE.search(t))
    if _WITHDRAWAL_ITSELF.search(t) or (
        substance and (_WITHDRAWAL.search(t) or (_HEAVY.search(t) and _STOP.search(t)))
    ):
        kinds.add("withdrawal")
    return frozenset(kinds)


# --- 5. General crisis language, beyond crisis_language.py ---------------------------------------

# Passive wishes, someone else's words, self-harm without "myself", and thoughts of
# harming a child that `mentions_crisis` (owned by core, shared with the contact form)
# does not catch; this level shows what it shows: 988, 911 and the Crisis Text Line.
_GENERAL = _rx(
    r"(wouldn'?t|won'?t|don'?t|didn'?t|not) wake up", r"(never been|wasn'?t|was never|were never|i'?d never been) born", r"sleep forever",
    r"(still|keep|is|i'?m|im|been|started|teen is|son is|daughter is) cutting", r"cut(ting)? (sometimes|when|again)", r"urges? (to (cut|hurt|harm)|are back)",
    r"suicdal", r"suiside\w*", r"sui?cidal", r"wish(es)? (she|he|they|i) (was|were) dead", r"(doesn'?t|does not|don'?t|do not) want to (live|be alive|be here)",
    r"killed (him|her|them) ?sel(f|ves)", r"no point (in |to )?(living|life|going on)", r"think(ing)? about (dying|death|being dead)",
    r"(hit|hitting|punch|punching|scratch|scratching) myself", r"bang(ing)? my head", r"better (off )?without me", r"(nobody|no one|noone) would (miss|care)",
    r"want (it|this|everything) (all )?to (end|stop)", r"(feel like|thinking about|think about) ending (it|things|my life)",
    r"(thoughts|thinking|think) (about|of) (hurting|harming|killing) (my|someone|somebody|people|the|him|her)", r"hurting my (baby|kids|child|children)",
    r"(isn'?t|is not|not) safe", r"touch(es|ing|ed)? my (child|kid|son|daughter)", r"(don'?t|do not) know if i want to (live|be alive)",
    r"being alive is", r"(can'?t|cannot) see a future", r"no future", r"give up on life", r"will to live", r"(made|have) a plan",
    r"planned out", r"bleed", r"(don'?t|do not|dont) want to exist", r"stop existing", r"not (be )?alive", r"if i (was|were) gone",
    r"cut (my )?(arms?|wrists?|legs?|thighs?)", r"should (just )?end it", r"ganas de morir", r"me corto", r"quiere(s)? morir", r"(mejor|prefiero) estar muert[ao]", r"pensamientos suicidas",
)  # fmt: skip


# --- Spanish ---------------------------------------------------------------------------------------

_SPANISH = _rx(
    r"quiero",
    r"tengo",
    r"estoy",
    r"mi",
    r"me",
    r"que",
    r"no puedo",
    r"esposo",
    r"marido",
    r"casa",
    r"pastillas",
    r"voces",
    r"noche",
    r"vida",
    r"morir",
    r"matarme",
    r"miedo",
    r"comer",
    r"beber",
    r"ayuda",
    r"porque",
    r"pero",
    r"todo",
    r"nada",
    r"hijos?",
    r"dios",
)


def _spanish(t: str) -> bool:
    return len(set(m.group(0) for m in _SPANISH.finditer(t))) >= 2


# --- The result ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FirstStep:
    """What one level offers first: a short heading, guidance and one-tap resources."""

    level: Level
    heading: str
    body: tuple[str, ...]
    resources: tuple[crisis_config.Resource, ...]
    spanish: str = ""

    @property
    def key(self) -> str:
        return self.level.key


@dataclass(frozen=True)
class Triage:
    """The levels found, most urgent first; empty means none. Never stored."""

    levels: tuple[Level, ...] = ()
    medical: frozenset[str] = field(default_factory=frozenset)
    spanish: bool = False

    def __bool__(self) -> bool:
        return bool(self.levels)

    @property
    def level(self) -> Level:
        return self.levels[0] if self.levels else Level.NONE

    @property
    def specific(self) -> tuple[Level, ...]:
        return tuple(level for level in self.levels if level is not Level.GENERAL)

    @property
    def violence(self) -> bool:
        return Level.VIOLENCE in self.levels

    @property
    def first(self) -> list[FirstStep]:
        return [_first_step(level, self) for level in self.specific]

    @property
    def first_slugs(self) -> frozenset[str]:
        """Resources already offered first, so the general list below need not repeat them."""
        return frozenset(r.slug for step in self.first for r in step.resources)


def triage(text: str | None, issues: Iterable[str] = ()) -> Triage:
    """The levels of urgency in `text` and the questionnaire's `issues` (see module docstring)."""
    chosen = set(issues)
    t = _fold(text or "")
    levels = []
    medical: frozenset[str] = frozenset()
    if t:
        if _imminent(t):
            levels.append(Level.IMMINENT)
        if _commands(t, bool(chosen & PSYCHOSIS_ISSUES)):
            levels.append(Level.COMMANDS)
    if _violence(t, bool(chosen & VIOLENCE_ISSUES)):
        levels.append(Level.VIOLENCE)
    if t:
        medical = _medical(t, bool(chosen & EATING_ISSUES), bool(chosen & SUBSTANCE_ISSUES))
        if medical:
            levels.append(Level.MEDICAL)
    if mentions_crisis(text) or _GENERAL.search(t) or chosen & CRISIS_ISSUES:
        levels.append(Level.GENERAL)
    return Triage(levels=tuple(levels), medical=medical, spanish=bool(t) and _spanish(t))


def _resources(*slugs: str) -> tuple[crisis_config.Resource, ...]:
    config = crisis_config.load()
    return tuple(r for slug in slugs if (r := config.get(slug)) is not None)


def _first_step(level: Level, result: Triage) -> FirstStep:
    # Wording follows safe-messaging guidance: plain, no diagnosis, no method detail.
    if level is Level.IMMINENT:
        return FirstStep(
            level,
            _("Please reach out for help right now."),
            (
                _("What you wrote sounds like you may be in danger now. You don't have to get through this alone: call or text 988 and talk to someone now, not after a first therapy appointment."),
                _("If you have already hurt yourself or taken something, or you can't keep yourself or someone else safe, call 911 or go to the nearest emergency room."),
            ),
            _resources("988", "911"),
            spanish="Si estás en peligro ahora: llama o envía un mensaje de texto al 988 (marca 2 para español). Si ya te hiciste daño o tomaste algo, llama al 911.",
        )  # fmt: skip
    if level is Level.COMMANDS:
        return FirstStep(
            level,
            _("Voices telling you to hurt yourself or someone else need care today."),
            (
                _("This needs an urgent evaluation by a doctor or psychiatrist, today rather than at a first therapy appointment. Call or text 988 and tell them what the voices say: they can help you get seen quickly, and in some areas can send a mobile crisis team."),
                _("If you feel you might act on them, call 911 or go to the nearest emergency room. If you already have a psychiatrist or care team, call them today too."),
            ),
            _resources("988", "911"),
            spanish="Si escuchas voces que te dicen que te hagas daño o que hagas daño a alguien, necesitas ayuda hoy: llama al 988 (marca 2 para español), o al 911 si sientes que podrías hacerlo.",
        )  # fmt: skip
    if level is Level.VIOLENCE:
        return FirstStep(
            level,
            _("If you're not safe at home, help is there now."),
            (
                _("The National Domestic Violence Hotline is free, confidential and open 24/7. Advocates can help you make a safety plan, whether you stay or leave."),
                _("If you are in danger right now, call 911."),
            ),
            _resources("domestic-violence-hotline", "911"),
            spanish="La Línea Nacional contra la Violencia Doméstica atiende en español, gratis y las 24 horas: llama al 1-800-799-7233.",
        )  # fmt: skip
    # MEDICAL
    body = []
    slugs = ["911"]
    if "eating" in result.medical:
        body.append(_("Fainting, chest pain, a racing or uneven heartbeat, vomiting blood, or days without food can mean your body needs medical care now, alongside therapy. Please see a doctor or urgent care today and ask for a medical check (blood tests and heart rhythm)."))  # fmt: skip
    if "withdrawal" in result.medical:
        body.append(_("Stopping alcohol, or medicines like Xanax, Klonopin, Valium or Ativan, suddenly after regular use can cause seizures and can be life-threatening. Please talk to a doctor before you stop; the SAMHSA helpline can find a medically supervised detox near you."))  # fmt: skip
        slugs.append("samhsa-helpline")
    body.append(_("Call 911 for fainting, chest pain, a seizure, confusion, or seeing or hearing things that aren't there."))  # fmt: skip
    return FirstStep(
        level,
        _("Please get a medical check soon."),
        tuple(body),
        _resources(*slugs),
        spanish="Por favor, hazte un chequeo médico hoy. Si te desmayas, tienes dolor en el pecho, una convulsión o confusión, llama al 911. La línea de SAMHSA (1-800-662-4357) atiende en español.",
    )  # fmt: skip
