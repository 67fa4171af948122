"""Statement parts: the templates and word lists a profile's statements are composed from.

Data only. `{name}` slots are filled by the generator: the static ones (doing,
belief, goal, job, place, hobby, setting, elab, focus, likes, when) once at
import, the per-profile ones for each document.
"""

from __future__ import annotations

# Slots: {who} people served, {i1}-{i3} issue phrases, {a1}/{a2} approach names,
# {adj1}-{adj3} adjectives, {surprise} one of SURPRISES, {first} first name, {years} ("12 years" or "the past year",
# so a template never writes "years" after it), {since}, {city}.

OPENINGS = (
    "I work with {who} navigating {i1} and {i2}.",
    "Most of the people I see are {who} dealing with {i1}, {i2}, or both.",
    "I specialize in helping {who} with {i1} and {i2}.",
    "My practice focuses on {who} who are living with {i1} or {i2}.",
    "If you are struggling with {i1} or {i2}, you are in the right place.",
    "Hi, I'm {first}. I help {who} work through {i1}, {i2} and {i3}.",
    "For {years} I have been helping {who} untangle {i1} and {i2}.",
    "I love working with {who}, especially around {i1} and {i2}.",
    "Whether you're facing {i1}, {i2} or something you can't quite name yet, I'm glad you're here.",
    "People usually come to me when they feel worn down by {i1} or {i2}.",
    "I'm {first}, and I work with {who} facing {i1}, {i2} and the everyday weight of {i3}.",
    "You might be here because of {i1}, or because living with {i2} has gotten harder lately.",
    "Much of my work is with {who} who feel stuck in {i1} or worn down by {i2}.",
    "I offer a steady, private space for {who} working through {i1} and {i2}.",
    "Life can get heavy. I help {who} find their footing again after {i1} and {i2}.",
    "Hello and welcome. I see {who}, and my focus is {i1}, {i2} and {i3}.",
    "My clients are mostly {who}; many arrive carrying {i1}, {i2} or both.",
    "I have spent {years} sitting with {who} through {i1}, {i2} and everything in between.",
)
APPROACH_LINES = (
    "My approach is {adj1} and {adj2}, drawing on {a1} and {a2}.",
    "In our sessions I blend {a1} with {a2}, and I keep things {adj1}.",
    "I'm trained in {a1}, but I adapt to what you need rather than following a script.",
    "Clients describe our work as {adj1}, {adj2} and sometimes surprisingly {surprise}.",
    "I lean on {a1} and {a2} while staying {adj1} and {adj2}.",
    "Therapy with me is {adj1}: we set goals together, and I draw on {a1} when it helps.",
    "I believe therapy works best when it is {adj1} and {adj2}, so that is how I practice.",
    "I use {a1} and {a2}, and I will always explain why we're trying something.",
    "My style is {adj1} and {adj2}; I draw mostly from {a1}.",
    "Expect a therapist who is {adj1} and {adj2}, and who brings {a1} into the room when it fits.",
    "I integrate {a1} and {a2}, tailoring each session to where you are that day.",
    "We'll work in a way that is {adj1} and {adj2}, with tools from {a1} along the way.",
)
# Adjectives that can follow "sometimes surprisingly" (not "surprisingly respectful").
SURPRISES = (
    "playful",
    "light",
    "funny",
    "practical",
    "relaxed",
    "direct",
    "creative",
    "hopeful",
)
ADJECTIVES = (
    "warm",
    "collaborative",
    "direct",
    "practical",
    "gentle",
    "curious",
    "down-to-earth",
    "structured",
    "compassionate",
    "nonjudgmental",
    "playful",
    "honest",
    "grounded",
    "culturally responsive",
    "client-led",
    "goal-oriented",
    "reflective",
    "relaxed",
    "thoughtful",
    "steady",
    "creative",
    "straightforward",
    "affirming",
    "patient",
    "hopeful",
    "engaged",
    "unhurried",
    "respectful",
)
MIDDLES = (
    "Together we'll {doing}.",
    "I believe {belief}.",
    "Sessions are a place to {doing}.",
    "My goal is to help you {goal}.",
    "In our work we will {doing}, at a pace that feels right for you.",
    "I hope you leave our sessions feeling able to {goal}.",
    "At its best, therapy helps you {goal}; I'm here to make that possible.",
    "I want to help you {goal}, and I know {belief}.",
    "We'll {doing}, and over time you'll {goal}.",
)
DOINGS = (
    "slow down and notice what your body is telling you",
    "make sense of old patterns",
    "build skills you can use between sessions",
    "find words for what has felt unspeakable",
    "figure out what you actually want",
    "practice setting boundaries that hold",
    "untangle the stories you tell yourself",
    "look honestly at what is and isn't working",
    "turn toward hard feelings instead of away from them",
    "rebuild trust in yourself",
    "experiment with new ways of responding",
    "get curious about the parts of you that protect you",
    "map out the changes you want to make",
    "make room for grief without being swallowed by it",
    "connect the dots between your past and your present",
    "name what you need out loud",
    "sort out what is yours to carry and what is not",
    "try small, doable steps",
)
BELIEFS = (
    "everyone deserves to be heard without judgment",
    "change is possible at any age",
    "you are the expert on your own life",
    "healing happens in relationship",
    "small steps add up",
    "humor has a place in therapy",
    "there is nothing wrong with you",
    "feelings are information, not enemies",
    "culture and identity matter in the therapy room",
    "the relationship between client and therapist is what makes therapy work",
    "you don't have to be in crisis to deserve support",
    "rest is not a reward you have to earn",
    "curiosity works better than criticism",
    "people make sense in context",
)
GOALS = (
    "feel more at home in yourself",
    "respond rather than react",
    "trust your own judgment again",
    "feel less alone with what you carry",
    "reconnect with the people who matter to you",
    "sleep, work and love with less worry",
    "set down some of the weight you've been carrying",
    "find your way back to what you care about",
    "treat yourself with more kindness",
    "have the hard conversations you've been avoiding",
    "feel calmer in your body",
    "build a life that fits who you are now",
    "understand why you feel the way you do",
    "move through change with more confidence",
)
BACKGROUNDS = (
    "Before becoming a therapist I worked as {job}, which still shapes how I listen.",
    "I grew up in {place} and have called {city} home for {years2} years.",
    "Outside of sessions you'll find me {hobby}.",
    "I have been in practice since {since}.",
    "Much of my training happened in {setting}, and I still draw on it every day.",
    "I came to this work after years as {job}.",
    "When I'm not working I'm usually {hobby}.",
    "I grew up in {place}, which taught me a lot about belonging and difference.",
    "I spent my early career in {setting}, working with people many others had given up on.",
    "I started out as {job} and found my way to therapy in my thirties.",
)
# With their article: "worked as {job}".
JOBS = (
    "a teacher",
    "a nurse",
    "a journalist",
    "a software engineer",
    "a chef",
    "a case manager",
    "a paramedic",
    "a musician",
    "a lawyer",
    "a youth minister",
    "a barista",
    "an army medic",
    "a graphic designer",
    "a librarian",
    "a soccer coach",
    "a dancer",
    "an accountant",
    "a firefighter",
    "a bartender",
    "a school counselor",
    "a hospice volunteer",
    "a photographer",
    "a social worker in child welfare",
    "a marketing manager",
    "a translator",
    "a carpenter",
    "a flight attendant",
    "a research assistant",
)
PLACES = (
    "a small farming town",
    "a big immigrant family",
    "a military family that moved every few years",
    "the Midwest",
    "a town on the Gulf Coast",
    "a bilingual household",
    "a tiny mountain town",
    "a close-knit church community",
    "a busy city neighborhood",
    "the Rio Grande Valley",
    "a family of teachers",
    "the Pacific Northwest",
    "a fishing town in New England",
    "a household where nobody talked about feelings",
    "the Deep South",
    "Appalachia",
)
HOBBIES = (
    "hiking with my dog",
    "baking bread",
    "at a climbing gym",
    "reading science fiction",
    "tending a stubborn vegetable garden",
    "playing pickup basketball",
    "singing in a community choir",
    "out on a long bike ride",
    "learning to play the cello",
    "at a farmers market",
    "cooking for friends",
    "swimming laps",
    "walking by the water",
    "working on a jigsaw puzzle",
    "chasing my kids around the park",
    "trying a new recipe",
    "at a pottery wheel",
    "camping with my family",
    "watching old movies",
    "knitting badly",
)
SETTINGS = (
    "a community mental health clinic",
    "a university counseling center",
    "a hospital trauma program",
    "a residential treatment center",
    "a crisis call center",
    "a public school district",
    "a VA medical center",
    "an outpatient eating disorder program",
    "a domestic violence shelter",
    "a substance use treatment program",
    "a group practice",
    "a pediatric hospital",
)
CLOSINGS = (
    "Reach out whenever you're ready; I'd be glad to hear from you.",
    "Taking the first step is hard. I'll meet you where you are.",
    "I'd be honored to walk alongside you.",
    "Let's talk about what you're hoping for.",
    "You don't have to figure this out alone.",
    "I look forward to hearing from you.",
    "When you're ready, send me a message and we can find a time to talk.",
    "Whatever brought you here, you are welcome.",
    "Reaching out is a brave first step, and I'm glad you're considering it.",
)
CLOSINGS_CONSULT = (
    "If you're curious whether we'd be a good fit, I offer a free 15-minute consultation.",
    "I offer a free phone consultation so we can see if working together feels right.",
    "Book a free consultation call and ask me anything about how I work.",
)
CLOSINGS_FULL = (
    "My caseload is full right now, but you are welcome to join my waitlist.",
    "I'm not taking new clients at the moment; feel free to check back in a few weeks.",
)
EXTRA_PARAGRAPHS = (
    "A typical first session is mostly listening. I'll ask about what brought you in, what you've "
    "already tried and what you'd like to be different. {belief_cap}. By the end of it we will "
    "have a rough plan, and you can decide whether it feels right.",
    "I know that starting therapy can bring up a lot of questions. How long will it take? Will it "
    "help? What if I don't know what to say? There are no wrong answers here. Some people come for "
    "a few months to work on something specific; others stay longer because the work opens up new "
    "questions. Either is fine.",
    "I also care about the practical side. I'll be clear about fees, scheduling and what to expect "
    "between sessions, and I'll check in regularly about whether our work is helping. If another "
    "kind of support would serve you better, I will tell you and help you find it.",
    "Identity and culture shape how we experience {i1} and how we heal. I try to bring humility to "
    "that, and I welcome conversations about race, gender, sexuality, faith, class and anything "
    "else that matters to you. You won't have to educate me about who you are.",
    "Outside the therapy room, I keep learning. I attend consultation groups, read widely and "
    "continue training in {a1}. It keeps me honest and it keeps the work fresh.",
    "If you have been living with {i2}, you may have tried to cope alone for a long time. "
    "Many of my clients tell me they waited years before reaching out. There is no perfect moment; "
    "there is only the next step, and we can take it together.",
)

APPROACH_STATEMENTS = (
    "I use {a} to help you {goal}. {elab}",
    "{a} gives us a shared map. {elab}",
    "With {a}, we focus on {focus}. I find it especially helpful for {issue}.",
    "I trained in {a} {when} and use it most with clients facing {issue}.",
    "{a} is at the heart of how I work with {issue}. {elab}",
    "What I like about {a} is that it {likes}. {elab}",
    "Many of my clients dealing with {issue} find {a} a good fit, because it {likes}.",
    "I bring {a} into sessions when we want to look at {focus}. It {likes}.",
    "{a} helps us slow down and look at {focus}. I've seen it make a real difference for {issue}.",
)
ELABORATIONS = (
    "We look at the patterns that keep you stuck and try small experiments between sessions.",
    "It helps us notice what is happening in the moment instead of getting lost in it.",
    "Clients often tell me it gave them words for things they had felt for years.",
    "We move at your pace, and you can always say no to an exercise.",
    "It is practical: you leave each session with something to try.",
    "It makes room for both understanding where something comes from and changing it.",
    "I adapt it to your culture, your values and your goals.",
    "Over time, most clients learn to do this work on their own.",
)
FOCUSES = (
    "what is happening in the present moment",
    "the stories you tell about yourself",
    "how your nervous system responds to stress",
    "the relationships that shaped you",
    "the thoughts that fuel difficult feelings",
    "the parts of you that are in conflict",
    "what you value most",
    "the cycles that repeat between partners",
)
LIKES = (
    "treats you as the expert on your own life",
    "offers practical tools from the first session",
    "makes room for both insight and action",
    "is grounded in research but flexible in practice",
    "respects the pace your body and mind need",
    "gives clients skills they keep for life",
    "looks at the whole person, not just symptoms",
)
WHENS = (
    "early in my career",
    "several years ago",
    "after graduate school",
    "during my fellowship",
    "through a two-year program",
    "recently",
)
