"""The demo's community guidelines (the first version the demo seeding publishes)."""

DEMO_GUIDELINES = (
    "This forum is where community leaders think out loud together. We come from different "
    "places, roles and traditions, and we keep this a space of partnership: every message is "
    "written for the people reading it. These guidelines are how we do that. Stewards cite "
    "them by number when they act, so everyone can see why.",
    [
        {"title": "Power with, not power over",
         "text": "Share what you know to widen what others can do, not to rank yourself above "
                 "them. Ask before you advise, invite others in, and leave room for answers "
                 "different from yours."},
        {"title": "Communicate honestly and openly",
         "text": "Say what you mean and where it comes from. Name your interests when they "
                 "touch the topic, say when you are unsure, and correct yourself in the open "
                 "when you get something wrong."},
        {"title": "Disagree constructively",
         "text": "Disagreement is welcome: it is how we learn. Take on the idea, not the "
                 "person; say what you would do instead, and assume the other person means "
                 "well until they show otherwise."},
        {"title": "No blaming, shaming or attacking",
         "text": "No insults, mockery, threats, or remarks about anyone's identity, body or "
                 "background. Do not pile on, and do not bring private conflicts here to win "
                 "them in public."},
        {"title": "Value every role",
         "text": "The volunteer who sets out the chairs, the organiser, the funder and the "
                 "newcomer asking a first question all belong here. Credit the work of others "
                 "and never talk down to anyone for the role they hold."},
        {"title": "Respect privacy",
         "text": "Do not share someone's personal details, private messages or stories they "
                 "told you in confidence without their consent, and do not post pictures of "
                 "people who have not agreed to it."},
        {"title": "No spam or self-promotion",
         "text": "Share your project or event when it helps the conversation, not as an "
                 "advertisement. No repeated posts, no unrelated links, no selling."},
    ],
)
