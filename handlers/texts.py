"""Every user-facing text in one place, so that translation is possible later.

Texts are HTML (the bot's default parse mode): anything a user typed is escaped before it is
put in one of them.
"""

from __future__ import annotations

import html

PRIVACY = (
    "<b>Welcome to mentorlog</b>, a mentoring journal for your qualification.\n\n"
    "What I keep: your name, time zone and what you log here (sessions, goals, reflections, "
    "feedback and the files you send). Only the people you invite see your portfolio: your "
    "mentees see nothing but their own prompts, assessors only read. "
    "/mydata sends you a copy at any time, /forget erases you.\n\n"
    "Do you agree to me keeping this?"
)
AGREE = "I agree"
DECLINE = "No thanks"
DECLINED = "No problem, nothing was kept. Send /start if you change your mind."
ASK_NAME = "What name should your mentees and assessor see?"
USE_NAME = "Use “{name}”"
ASK_ROLE = "Are you a mentor working towards a qualification?"
ROLE_MENTOR = "Yes, I'm a mentor"
ROLE_INVITED = "I have an invitation"
INVITED_HOW = (
    "Open the invitation link your mentor sent you (it starts with t.me/…). "
    "It brings you straight back here."
)
TZ_SET = "Time zone set to {zone} (it's {time} there now). You can change it in /settings."
ASK_TZ = "Which time zone are you in? Tap one, or type a city or an offset like UTC+1."
ASK_FRAMEWORKS = "Which qualifications are you working towards? Tap all that apply, then Done."
PICK_ONE_FRAMEWORK = "Tap at least one qualification first."
DONE = "Done"
WELCOME_MENTOR = (
    "All set, {name}. Your portfolio follows: {frameworks}.\n\n"
    "Next: invite your mentees with /invite, then log your first session with /log."
)
ALREADY_SET_UP = "You're set up already. What would you like to do?"
MEMBER_START = (
    "You're set up. I'll message you when someone asks for your feedback; /help shows the rest. "
    "Working towards a mentoring qualification yourself? Start your own journal:"
)

JOIN_UNKNOWN = "That invitation link isn't valid. Ask for a new one."
JOIN_EXPIRED = "That invitation has expired (links last 7 days). Ask for a new one."
JOIN_USED = "That invitation has already been used. Ask for a new one."
JOIN_OWN = "That's your own invitation: send it to the person you want to invite."
JOIN_ALREADY = "You're already part of that portfolio."
JOIN_OTHER_ROLE = (
    "You already have another role in that journal, and one person can only hold one. "
    "The link still works: pass it to the person it was meant for."
)
JOINED_MENTEE = (
    "You've joined {mentor}'s mentoring journal as a mentee. After each session I'll ask you "
    "for a quick rating; that's all. Wherever anonymity is needed you appear as {alias}."
)
JOINED_SUPERVISOR = (
    "You've joined {mentor}'s journal as their supervisor. I'll ask you to confirm hours and "
    "give feedback when they request it."
)
JOINED_ASSESSOR = (
    "You've joined {mentor}'s portfolio as an assessor. You can read it and record decisions; "
    "evidence can't be changed from here."
)
JOINED_IQA = (
    "You've joined {mentor}'s portfolio as internal quality assurer. You can read it and "
    "sample the assessor's decisions; nothing can be changed from here. /candidates to open it."
)

INVITE_WHO = "Who would you like to invite?"
INVITE_LINK = "Send this link to your {role}. It works once and expires on {expires}:\n\n{link}"
ROLE_NAMES = {
    "mentee": "mentee",
    "supervisor": "supervisor",
    "assessor": "assessor",
    "iqa": "internal quality assurer",
    "employer": "employer",
}

PRIVATE_ONLY = (
    "I only work in a private chat, so that nothing personal shows here. "
    "Open a chat with me to carry on:"
)
PRIVATE_ONLY_ALERT = "I only work in a private chat. Open a chat with me to use this."
OPEN_PRIVATE = "Open mentorlog"

NEEDS_PORTFOLIO = "This needs a mentor's journal. Send /start to set one up."
NEEDS_START = "Let's get you set up first: send /start."

CANCEL = "Cancel"
SKIP = "Skip"
BACK = "Back"
TODAY = "Today"
YESTERDAY = "Yesterday"
GROUP = "Group"
CANCELLED = "Cancelled. Nothing was saved."
NO_MENTEES = "No mentees have joined yet: type their names (e.g. Jon, Ola), or /invite them first."
PICK_FROM_BUTTONS = "Please tap one of the buttons, or /cancel."
PICK_MENTEES_DONE = "Tap everyone who was there, then Done."
NO_GOALS = "There are no open goals to review. Set one with /goal."
STALE_STEP = "That button is from an earlier step. Here's where you are:"
STALE_BUTTON = "That button is out of date. Send /help to see what you can do."
NOT_YOURS = "That button isn't for you."
NEED_ONE_ANSWER = "Write at least one of the answers before saving."
RESUMED = "You have an unfinished {title}: carry on below, or /cancel to drop it."
JOINED_PARTS = "Telegram sent your long answer in parts: I've added that to your last answer."
LONG_ANSWER_HOLD = "That was a long answer. Send the rest if there's more, or tap Save."
SAVE = "Save"
TEXT_TOO_LONG = (
    "That's {length:,} characters; the most I can keep here is {limit:,}. "
    "Shorten it and send it again."
)
ANSWERS_KEPT = "Your other answers are kept."
DURATION_BUTTONS = ((30, "30 min"), (45, "45 min"), (60, "1 h"), (90, "1 h 30"))
RATING_PROMPT_HINT = "Tap 1 (not useful) to 5 (very useful)."

SAVED = "Saved as <b>{ref}</b>."
SUGGESTED = "Suggested criteria (tap to confirm):"
MORE = "More…"
TYPE_CODE = "Type a code"
ASK_CODE = "Type a criterion code, e.g. K15, D3.06 3.2 or M2_JM_05 4.4."
UNKNOWN_CODE = "I couldn't find “{code}” in your qualifications. Try e.g. K15 or D3.06 3.2."
TAGGED = "Tagged {ref} to {codes}."
TAGS_DONE = "Saved {ref} with {criteria}. What next?"
PICK_UNIT = "Pick a unit:"
PICK_CRITERION = "{unit}: tap criteria to tag {ref}."

CAPTURE_ASK = "Save this as…"
CAPTURE_SESSION = "Session note"
CAPTURE_REFLECTION = "Reflection"
CAPTURE_EVIDENCE = "Evidence"
CAPTURE_GOAL = "Goal"
CAPTURE_DISCARD = "Discard"
CAPTURE_DISCARDED = "Discarded."
CAPTURE_EXPIRED = "I no longer have that message. Send it again."
FILE_TOO_BIG = (
    "That file is {size} MB; Telegram only lets bots fetch files up to 20 MB. "
    "Send a smaller version (or a link in a note)."
)
FILE_FAILED = "I couldn't fetch that file from Telegram. Please send it again."
DISK_FULL = (
    "I couldn't keep that file: the server's disk is full. What you wrote is kept. "
    "Please try again later, and let your centre know."
)
FILE_NOT_STORED = (
    "I couldn't keep that file: the server couldn't write it. What you wrote is kept. "
    "Please try again later, and let your centre know if it happens again."
)
DATABASE_BUSY = (
    "I couldn't save that just now: the journal was busy for a moment. Nothing is lost and "
    "you're still at the same step, so send it or tap the button again in a minute."
)
API_TROUBLE = (
    "Sorry, Telegram didn't take my reply just now, so you may have missed it. What you sent "
    "is kept: send /start to see where you were."
)
FILE_ADDED = "Added the file to this entry."

ENTRIES_NONE = "Nothing logged yet. Start with /log."
ENTRIES_HEAD = "Your recent entries:"
ENTRY_EDIT = "Edit"
ENTRY_DELETE = "Delete"
ENTRY_UNDO = "Undo"
ENTRY_TAGS = "Criteria"
ENTRY_HISTORY = "History"
ENTRY_DELETED = "{ref} deleted."
ENTRY_RESTORED = "{ref} is back."
EDIT_WHICH = "Which part of {ref} do you want to change?"
EDIT_ASK = "Send the new text for “{field}”. Now:\n{current}"
EDITED = "{ref} updated (revision {number}). The earlier version is kept."
LONG_EDIT_HOLD = (
    "That was a long text. Send the rest if there's more, or tap Save. "
    "/cancel keeps the entry as it was."
)
EDIT_NOT_TEXT = "That part can't be edited here."
HISTORY_LINE = "Revision {number} · {when}"
ENTRY_GONE = "That entry is no longer there."
NOT_AUTHOR = (
    "That entry was written by someone else, so it stays as they wrote it. "
    "You can still change its criteria, or add a note of your own with /reflect."
)

PROGRESS_HEAD = "<b>Progress</b>"
PROGRESS_HOURS = "{unit}: {done} of {need} h {bar} {pct}%"
PROGRESS_CONFIRMED = " · {confirmed} confirmed"
PROGRESS_TO_CONFIRM = " ({short} to confirm)"
PROGRESS_UNIT = "{unit} {covered}/{total} criteria"
PROGRESS_GAPS = "Biggest gaps (tap to log evidence):"
PROGRESS_EMPTY = "No criteria yet: your portfolio follows no qualification."
TASKS_HEAD = "\n<b>What each task still needs</b>"
TASK_LINE = "<b>{task}</b> {title}: {met} of {total} done"
TASK_NEEDS = "<b>{task}</b> still needs: {items}"
TASK_MORE = " and {count} more"
TASK_MET = "✓ {item}: {refs}"
TASK_MISSING = "✗ {item}"
TASK_ALL_MET = "<b>{task}</b>: every part has evidence."
TASK_COUNTS_FOR = "Counts for {task}: {items}"
TASK_BUTTON = "Add {item}"
GAP_ASK = (
    "Send a note, photo or document as evidence for {code}: {text}\n"
    "It will be saved and tagged to that criterion."
)

HELP = (
    "<b>What I can do</b>\n"
    "/log – log a mentoring session\n"
    "/goal – set a goal · /review – review a goal\n"
    "/reflect – write a reflection\n"
    "/feedback – record feedback you received\n"
    "/supervision – record a supervision meeting\n"
    "/contract – mentoring contract and plan\n"
    "/cpd – your own development activity\n"
    "/entries – recent entries: open, edit, delete\n"
    "/progress – hours and criteria covered\n"
    "/details – centre, registration number and authenticity for the mark sheets\n"
    "/invite – invite a mentee, supervisor or assessor\n"
    "/request – ask your supervisor to confirm hours or give feedback\n"
    "/export – download your portfolio or send it to your assessor\n"
    "/candidates – (assessors) the portfolios you assess\n"
    "/settings – time zone, quiet hours, pause prompts\n"
    "/mydata – a copy of your data · /forget – erase it\n\n"
    "Or just send a note, photo, document or voice note and I'll ask what it is."
)
UNKNOWN_COMMAND = "I don't know that command. Here's what I can do:"
MENU_LOG = "Log a session"
MENU_PROGRESS = "Progress"
MENU_ENTRIES = "Entries"

COMMANDS = (
    ("log", "Log a mentoring session"),
    ("goal", "Set a goal"),
    ("review", "Review a goal"),
    ("reflect", "Write a reflection"),
    ("feedback", "Record feedback"),
    ("supervision", "Record a supervision meeting"),
    ("contract", "Mentoring contract and plan"),
    ("cpd", "Record a CPD activity"),
    ("otj", "Log off-the-job training (apprentices)"),
    ("apprenticeship", "Apprenticeship dates and off-the-job hours"),
    ("epa", "Choose the pieces of your EPA portfolio (apprentices)"),
    ("gateway", "The EPA gateway checklist (apprentices and employers)"),
    ("statement", "The employer and apprentice statement"),
    ("recording", "Add a recording of a session after the gateway"),
    ("entries", "Recent entries"),
    ("progress", "Hours and criteria"),
    ("details", "Centre, registration number, authenticity"),
    ("invite", "Invite a mentee, supervisor or assessor"),
    ("request", "Ask your supervisor to confirm or give feedback"),
    ("export", "Download or send your portfolio"),
    ("names", "Names to hide in ST1379 exports (apprentices)"),
    ("candidates", "Portfolios you assess"),
    ("settings", "Time zone, quiet hours, pause prompts"),
    ("mydata", "A copy of your data"),
    ("forget", "Erase your data"),
    ("help", "What I can do"),
    ("cancel", "Stop what you're doing"),
)


def file_too_big(size_bytes: int) -> str:
    return FILE_TOO_BIG.format(size=round(size_bytes / 1048576, 1))


def count_of(count: int, one: str, many: str, *, zero: str | None = None) -> str:
    """`1 criterion`, `2 criteria`; `zero` (if given) for none: `no criteria yet`."""
    if count == 0 and zero is not None:
        return zero
    return f"{count} {one if count == 1 else many}"


def too_long(length: int, limit: int, *, kept: bool = False) -> str:
    """A text over the limit; `kept` when the flow holds other answers, which stay."""
    text = TEXT_TOO_LONG.format(length=length, limit=limit)
    return f"{text} {ANSWERS_KEPT}" if kept else text


def escape(text: str) -> str:
    """User text inside an HTML reply; quotes stay readable (they are safe outside attributes)."""
    return html.escape(text, quote=False)


# --- Prompts and reminders ------------------------------------------------------------------------

FEEDBACK_ASK_TODAY = "How useful was today's session with {mentor}{topic}?"
FEEDBACK_ASK_YESTERDAY = "How useful was yesterday's session with {mentor}{topic}?"
FEEDBACK_ASK_ON = "How useful was your session with {mentor} on {day}{topic}?"
TOPIC = " ({topic})"
TOPIC_AFTER = ": {topic}"
FEEDBACK_LINE = "Thanks! One line on what helped or what you'd change? (optional)"
SENT_TO = "Sent to {mentor}. Thank you."
PROMPT_ANSWERED = "You've answered this already. Thank you!"
PROMPT_CLOSED = "This request has closed."
REMINDER_LEAD = "<i>Reminder: this closes within a day.</i>"

ASK_HOURS = "{mentor} asks you to confirm {duration} of mentoring on {day}{topic} ({ref})."
ASK_SESSION_FEEDBACK = (
    "{mentor} asks for your feedback on their mentoring session on {day}{topic} ({ref}). "
    "Tap below, then write a few lines."
)
ASK_TESTIMONY = (
    "{mentor} asks you for a witness testimony: a few lines on what you have seen of their "
    "mentoring. Tap below, then write it."
)
CONFIRM = "Confirm"
NOT_RIGHT = "Not right"
WRITE_IT = "Write it"
CONFIRMED_THANKS = "Confirmed, thank you. I'll let {mentor} know."
NOT_RIGHT_ASK = "What isn't right? One line for {mentor} (optional)."
WRITE_ASK = "Type your answer in one message."
WRITE_SKIPPED = "Nothing was sent. The request's buttons still work when you are ready."

NOTICE_FEEDBACK = "{who} rated {ref} ({day}) {rating}/5. Saved as {saved}."
NOTICE_HOURS = "{who} confirmed {duration} of mentoring for {ref}."
NOTICE_DISPUTED = "{who} says the hours of {ref} aren't right."
NOTICE_SUPERVISOR_FEEDBACK = "{who} sent feedback on {ref}. Saved as {saved}."
NOTICE_TESTIMONY = "{who} sent a witness testimony. Saved as {saved}."
QUOTE = "“{text}”"

WEEKLY_NUDGE = "Nothing logged for a week. A one-minute /log keeps your diary and hours up to date."
GOAL_REVIEW_NUDGE = "Today is the target date of the goal “{statement}”. Review it with /review."
PAIR_QUIET_NUDGE = (
    "No session with {mentee} for three weeks. Time to catch up? Log it with /log when you've met."
)

REQUEST_WHAT = "What would you like to ask your supervisor?"
REQUEST_HOURS = "Confirm hours"
REQUEST_FEEDBACK = "Feedback on a session"
REQUEST_TESTIMONY = "Witness testimony"
REQUEST_NO_SUPERVISOR = "No supervisor has joined your journal yet. Invite them with /invite."
REQUEST_WHICH_SUPERVISOR = "Which supervisor?"
REQUEST_WHICH_SESSION = "Which session?"
REQUEST_NO_SESSIONS = "There are no sessions to ask about yet. Log one with /log."
REQUEST_SENT = "Asked {supervisor} {what}. I'll tell you when they answer."
REQUEST_ALREADY = "You've asked {supervisor} for that already; it's waiting for their answer."
REQUEST_WHAT_HOURS = "to confirm the hours of {ref}"
REQUEST_WHAT_FEEDBACK = "for feedback on {ref}"
REQUEST_WHAT_TESTIMONY = "for a witness testimony"

SETTINGS = (
    "<b>Your settings</b>\n"
    "Time zone: {timezone}\n"
    "Quiet hours: {quiet}\n"
    "Prompts and reminders: {prompts}"
)
SETTINGS_NO_QUIET = "none"
SETTINGS_PROMPTS_ON = "on"
SETTINGS_PROMPTS_PAUSED = "paused"
SETTINGS_TIMEZONE = "Time zone"
SETTINGS_QUIET = "Quiet hours"
SETTINGS_PAUSE = "Pause prompts"
SETTINGS_RESUME = "Resume prompts"
ASK_QUIET = "When shouldn't I message you? Tap a range, or type one like 22-7 or 21:00-08:00."
QUIET_NONE = "No quiet hours"
QUIET_UNREADABLE = "I couldn't read that. Type a range like 22-7 or 21:00-08:00, or off."
PROMPTS_PAUSED = "Paused: I won't send you prompts or reminders until you resume them in /settings."
PROMPTS_RESUMED = "Prompts and reminders are back on."
SETTINGS_SAVED = "Saved."


CANDIDATES_NONE = (
    "Nobody has invited you to assess a portfolio yet. Ask the candidate for an assessor link."
)
CANDIDATE_LINE = "{name} · {frameworks} · {entries} · {hours} · {covered}/{total} criteria"
OPEN = "Open"
PORTFOLIO_MENU = "{name}: what would you like?"
EXPORT_XLSX = "Portfolio .xlsx"
EXPORT_PDF = "Diary .pdf"
EXPORT_ZIP = "Bundle .zip"
DECISIONS = "Decisions"
MARKS = "Marks"
GRADES = "Grades"
EXPORT_BUILDING = "Building it now…"
EXPORT_TOO_BIG = (
    "That file is {size} MB, over Telegram's 50 MB limit for bots. "
    "Your centre can export it with: "
    "mentorlog export --portfolio {portfolio} --format {fmt}{framework}"
)
# A download button when the portfolio follows several qualifications: "ILM diary".
EXPORT_FOR = "{qualification} {file}"
EXPORT_FILES = {"xlsx": "workbook", "pdf": "diary", "zip": "bundle"}
EXPORT_WHICH = "Each qualification has its own files (its own rules and sections):"
NOT_ASSESSOR = "You're not an assessor of that portfolio."
PORTFOLIO_GONE = "That portfolio no longer exists: its owner erased it, or it passed retention."
DECIDE_UNIT = "Pick a unit to record decisions:"
DECIDE_CRITERIA = "{unit}: ✓ met · ✗ not yet · (n) pieces of evidence. Tap a criterion."
DECIDE_ONE = "{code} {text}\nEvidence: {refs}\nMet or not yet?"
DECISION_NOW = "\n\nNow: {trail}"
MET = "Met"
NOT_YET = "Not yet"
DECISION_COMMENT = "Add a comment for the candidate (or Skip)."
DECISION_SAVED = "Recorded: {code} {outcome}."
MARK_SHEET = "Which mark sheet?"
MARK_ASK = "{sheet}: mark for “{section}” (0 to {max}, minimum {min})?"
MARK_BAD = "Type a whole number from 0 to {max}."
MARK_RESULT = "{sheet}: {summary}"
SHEET_NOTES = "Strengths and weaknesses"
SHEET_NOTE_ASK = "{sheet}, “{section}”: {field}? (or Skip)"
SHEET_NOTE_FIELDS = {"strengths": "Strengths", "weaknesses": "Weaknesses"}
SHEET_NOTES_KEPT = "Kept with the {sheet} mark sheet."
DETAILS = "Centre and learner"
QA_ROLE = " · quality assurance"
QA_SAMPLE = "Sample decisions"
QA_MARKS = "QA marks"
QA_MARK_ASK = "QA marks, {sheet}: mark for “{section}” (0 to {max}, minimum {min})?"
QA_MARK_RESULT = "QA marks, {sheet}: {summary}"
QA_PICK = "Which decision would you like to sample? ✓ met · ✗ not yet"
QA_NONE = "No decisions recorded yet: nothing to sample."
QA_ONE = "{code} {text}\nEvidence: {refs}\nDecision: {trail}\n\nDo you agree?"
QA_AGREE = "Agree"
QA_DISAGREE = "Disagree"
QA_COMMENT = "A comment for the assessor{optional}."
QA_OPTIONAL = " (or Skip)"
QA_SAVED = "Sampled {code}: {outcome}."
NOT_IQA = "You're not the quality assurer of that portfolio."
ECO_RECORD = "EcoMentor record"
ECO_RECORD_HEAD = "<b>EcoMentor assessment record</b>"
ECO_JUDGE = "Judge evidence"
ECO_ELIGIBILITY = "Eligibility (3.3)"
ECO_PLAN = "Assessment plan"
ECO_FEEDBACK = "Assessor feedback"
ECO_STAGES = "Validation stages"
ECO_PICK_ENTRY = "Which evidence item? Claimed for EcoMentor first."
ECO_NO_ENTRIES = "No evidence in this portfolio yet."
ECO_QUALITIES = (
    "{ref}: tap a quality the evidence lacks (✓ has it, ✗ lacks it), then Save.\n"
    "Valid, authentic, reliable, current and sufficient (3.10)."
)
ECO_JUDGE_COMMENT = "A comment on {ref}? (or Skip)"
ECO_JUDGED = "{ref}: {qualities}"
ECO_ELIGIBILITY_ASK = "Candidate selection criteria (3.3): tap met or not met for each.\n{items}"
ECO_ELIGIBILITY_SAVED = "Requirement {key}: {outcome}."
ECO_TEXT_ASK = "Type the {what}."
ECO_TEXT_SAVED = "{what}: {text}"
ECO_STAGE_PICK = "Which validation stage (3.2)?"
ECO_STAGE_ASK = "{stage}: {description}\nOutcome?"
ECO_STAGE_SAVED = "{stage}: {outcome}."
DETAILS_TEXT = (
    "<b>On every mark sheet</b>\n"
    "Centre: {centre_name}\n"
    "Centre number: {centre_number}\n"
    "Learner registration number: {learner_registration}\n"
    "Authenticity: {authenticity}\n"
    "Anonymous use by ILM: {anonymous_use}"
)
DETAIL_LABELS = {
    "centre_name": "Centre name",
    "centre_number": "Centre number",
    "learner_registration": "Registration number",
}
DETAIL_ASK = "Type the {label}."
CONFIRM_AUTHENTIC = "I confirm it is my own work"
OPT_OUT = "Refuse ILM's anonymous use"
OPT_IN = "Allow ILM's anonymous use"
DETAILS_NOTE = (
    "Confirming says your submissions are your own work. ILM uses scripts, anonymised, for "
    "assessment standardisation unless you refuse."
)
GRADE_ASK = "Grade for {method}?"
GRADE_RESULT = (
    "Overall grade: <b>{overall}</b> (observation {observation}, discussion {discussion})."
)
EXPORT_MENU = "Which file? Or send the portfolio to your assessor."
SEND_TO_ASSESSOR = "Send to my assessor"
NO_ASSESSOR = "No assessor has joined yet. Invite one with /invite."
SENT_TO_ASSESSOR = "Sent to {count} assessor(s)."
ASSESSOR_NOTICE = "{name} has sent you their portfolio. /candidates to open it."

MYDATA_CAPTION = (
    "Everything I hold about you, as JSON: what you wrote and gave, and when the sessions you "
    "were in took place. What a mentor wrote about you, your centre can release on request."
)
FORGET_ASK = (
    "This erases you: your name, your own journal with every entry and file, what you wrote "
    "in others' journals, and any prompts still waiting. What mentors wrote about you stays, "
    "under your pseudonym. It can't be undone."
)
FORGET_YES = "Erase everything"
FORGET_NO = "Keep my data"
FORGOTTEN = "Done: you've been erased. Send /start if you ever want to begin again."
FORGET_KEPT = "Nothing was erased."


# --- Apprenticeships (ST1379): off-the-job training, the plan, the employer -------------------

JOINED_EMPLOYER = (
    "You've joined {mentor}'s apprenticeship journal as their employer. When they log "
    "off-the-job training I'll ask you to confirm it with one tap. /gateway shows their "
    "gateway checklist: your decision, the employer and apprentice statement, the gateway."
)
EMPLOYER_NOT_THEIRS = (
    "That's for the apprentice's own journal. As {apprentices}'s employer, yours are "
    "/gateway (the gateway checklist: your decision, then confirming the gateway) and "
    "/statement (the employer and apprentice statement to confirm)."
)
EMPLOYER_YOUR_APPRENTICE = "your apprentice"
OTJ_ONLY_ST1379 = (
    "Off-the-job training is for ST1379 apprentices. This journal doesn't follow ST1379."
)
OTJ_SAVED = "Off-the-job training: <b>{duration}</b> on {day}."
OTJ_LATE = "⚠️ Late: recorded {days} days after the training (more than {limit} shows as late)."
OTJ_ASKED = "I've asked {who} to confirm it."
OTJ_NO_CONFIRMER = "Invite your employer with /invite so they can confirm your hours."
OTJ_UNKNOWN_KSBS = "Not ST1379 KSBs, left out: {codes}."
OTJ_LOG_BUTTON = "Log off-the-job hours"
ASK_OTJ = (
    "{mentor} asks you to confirm {duration} of off-the-job training on {day}{topic} ({ref}). "
    "Confirm only what you know took place."
)
NOTICE_OTJ = "{who} confirmed {duration} of off-the-job training for {ref}."
OTJ_BEHIND_NUDGE = (
    "Your off-the-job training is behind plan: {logged} logged and {confirmed} confirmed, "
    "{expected} expected by now. Log what you've done, or ask your employer to confirm it."
)

PROGRESS_OTJ_HEAD = "\n<b>Off-the-job training</b> (week {weeks})"
PROGRESS_OTJ = (
    "Planned {planned} · minimum {minimum}\n"
    "Logged {logged} · confirmed {confirmed} · expected by now {expected}"
)
PROGRESS_OTJ_BEHIND = {
    "logged": "⚠️ Logged hours are behind plan.",
    "confirmed": "⚠️ Confirmed hours are behind plan: ask your employer to confirm.",
}
PROGRESS_OTJ_MINIMUM_MET = "Minimum reached with confirmed hours."
PROGRESS_OTJ_ON_PROGRAMME = "12 months on programme: {state}"
PROGRESS_OTJ_ON_PROGRAMME_MET = "met"
PROGRESS_OTJ_ON_PROGRAMME_FROM = "from {day}"
PROGRESS_OTJ_NO_PLAN = (
    "\n<b>Off-the-job training</b>: {logged} logged. Set the plan with /apprenticeship."
)

APPRENTICESHIP_NONE = "No apprenticeship dates and hours set yet."
APPRENTICESHIP_TEXT = (
    "<b>Apprenticeship</b>\n"
    "Start: {start}\nPlanned end: {end}\n"
    "Planned off-the-job hours: {planned}\nMinimum (funding rules): {minimum}"
)
APPRENTICESHIP_SET = "Set dates and hours"
APPRENTICESHIP_ASK_START = "When did the apprenticeship start?  (type a date: 1 Sep 2025)"
APPRENTICESHIP_ASK_END = "When is it planned to end?  (type a date: 31 Oct 2026)"
APPRENTICESHIP_ASK_PLANNED = "How many off-the-job training hours are planned in all?  (e.g. 280)"
APPRENTICESHIP_ASK_MINIMUM = (
    "And the minimum the funding rules ask for at this start date, in hours? It can't be below 187."
)
APPRENTICESHIP_MINIMUM_FLOOR = "187 h"
APPRENTICESHIP_HOURS_BAD = "Type a whole number of hours, e.g. 280."
APPRENTICESHIP_SAVED = "Saved. /progress shows your off-the-job hours against the plan."
APPRENTICESHIP_LOCKED = (
    "🔒 Your employer confirmed your gateway on {day} against these dates and hours, so they "
    "can't be changed here any more. If one is wrong, ask your centre: they can correct it "
    "with <code>mentorlog apprenticeship</code>, which reopens the gateway for your employer "
    "to confirm again."
)


# --- ST1379 gateway, the employer and apprentice statement, recordings after gateway ---------

GATEWAY_ONLY_ST1379 = "The gateway is for ST1379 apprentices. This journal doesn't follow ST1379."
GATEWAY_HEAD = "<b>Gateway checklist</b> (ST1379)"
GATEWAY_HEAD_OF = "<b>{apprentice}'s gateway checklist</b> (ST1379)"
GATEWAY_MET, GATEWAY_TODO = "✅", "⬜"
GATEWAY_ON_PROGRAMME_MET = "12 months on programme (since {start})"
GATEWAY_ON_PROGRAMME_FROM = "12 months on programme: from {day}"
GATEWAY_NO_PLAN = "12 months on programme: set the start date with /apprenticeship"
GATEWAY_OTJ = "Off-the-job training: {confirmed} of the {minimum} minimum confirmed by the employer"
GATEWAY_OTJ_NO_PLAN = "Off-the-job training: set the plan and minimum with /apprenticeship"
GATEWAY_EM = "English and maths: {english}; {maths}"
GATEWAY_EM_SUBJECT = {"english": "English", "maths": "maths"}
GATEWAY_EM_ONE = "{subject} {basis} (recorded by {who})"
GATEWAY_EM_NONE = "{subject} not recorded"
GATEWAY_DECISION_MET = "Employer's decision, working at or above the standard: {who}, {at}"
GATEWAY_DECISION_TODO = "Employer's decision, working at or above the standard: not yet"
GATEWAY_STATEMENT_MET = "Employer and apprentice statement: confirmed by both"
GATEWAY_STATEMENT_TODO = "Employer and apprentice statement: {state}"
GATEWAY_PORTFOLIO = "EPA portfolio: {pieces} pieces selected (typically {low}-{high})"
GATEWAY_PORTFOLIO_MISSING = "   · {what}"
GATEWAY_PENDING = (
    "Gateway: not confirmed yet. The employer confirms it once everything above is met."
)
GATEWAY_DONE = "Gateway: confirmed by {who} on {day}."
GATEWAY_CHANGED_SINCE = (
    "⚠️ Not met any more since the gateway was confirmed: {items}. The portfolio submitted "
    "has changed: ask your centre, who can reopen the gateway for the employer to confirm again."
)
GATEWAY_REOPENED = "⚠️ The centre reopened the gateway ({at}): the employer confirms it again."
GATEWAY_RECORDINGS = (
    "Recordings after gateway: {accepted} of {needed} accepted ({minutes} minutes each)"
)
GATEWAY_RECORDINGS_FLAGGED = "⚠️ {count} flagged: they don't count (the reply to each says why)."
GATEWAY_NO_EMPLOYER = "Invite your employer with /invite: the decision and the gateway are theirs."
GATEWAY_BASIS = {
    "level2": "Level 2",
    "entry3": "Entry Level 3",
    "bsl": "British Sign Language (BSL) qualification",
}
GATEWAY_SET_PLAN = "Set dates and hours"
GATEWAY_EM_BUTTON = "Record English and maths"
GATEWAY_ASK_EMPLOYER = "Ask {who} for the decision"
GATEWAY_INVITE_EMPLOYER = "Invite my employer"
GATEWAY_STATEMENT_BUTTON = "Confirm the statement"
GATEWAY_PORTFOLIO_BUTTON = "Choose the EPA pieces"
GATEWAY_RECORDING_BUTTON = "Add a recording"
GATEWAY_DECIDE_BUTTON = "{apprentice} works at or above the standard"
GATEWAY_CONFIRM_BUTTON = "Confirm gateway"
GATEWAY_EM_ASK = (
    "Which of the EPA plan's routes for English and maths is met? The plan says:\n"
    "• <i>{level2}</i>\n• <i>{entry3}</i>\n• <i>{bsl}</i>\n"
    "Tap one for English and one for maths."
)
GATEWAY_EM_CHOICE = "{subject}: {basis}"
GATEWAY_EM_SAVED = "Recorded: {subject}, {basis}."
GATEWAY_DECIDED = "Recorded: your decision that {apprentice} works at or above the standard."
GATEWAY_DECIDED_ALREADY = "Your decision is already recorded ({at})."
GATEWAY_DECIDED_BY_OTHER = "Another employer recorded the decision a moment ago."
GATEWAY_NOT_READY = "Not yet: the gateway needs every item met. Still missing:\n{missing}"
GATEWAY_MISSING = {
    "on_programme": "12 months on programme",
    "otj": "the off-the-job minimum, confirmed",
    "english_maths": "English and maths recorded",
    "decision": "the employer's decision",
    "statement": "the employer and apprentice statement, confirmed by both",
    "portfolio": "the portfolio of evidence ready",
}
GATEWAY_CONFIRMED = "Gateway confirmed on {day}. I'll let {apprentice} know."
GATEWAY_CONFIRMED_ALREADY = "The gateway was confirmed already, on {day}."
GATEWAY_NOTICE = (
    "{who} confirmed your gateway on {day}. Next: two 30-minute recordings of mentoring "
    "sessions, mentor and mentee visible (/recording)."
)
GATEWAY_ASKED = "I've sent {who} your gateway checklist."
GATEWAY_ASK_LEAD = "{apprentice} asks you to look at their gateway."
GATEWAY_NOT_DELIVERED = "I couldn't reach {who} on Telegram: ask them to open the bot and /start."
PROGRESS_GATEWAY = "\n<b>Gateway</b>: {met} of {total} items met. /gateway shows what's missing."
PROGRESS_GATEWAY_DONE = (
    "\n<b>Gateway</b>: confirmed on {day}. Recordings after gateway: {accepted} of {needed} "
    "(/recording)."
)

STATEMENT_HEAD = "<b>Employer and apprentice statement</b>"
STATEMENT_BODY = (
    "“{text}”\n\nIt covers the {pieces} pieces of evidence as they are now "
    "(fingerprint <code>{fingerprint}</code>): if the evidence changes, it must be confirmed "
    "again."
)
STATEMENT_PARTY = {"apprentice": "Apprentice", "employer": "Employer"}
STATEMENT_CONFIRMED_BY = "{party}: confirmed by {who}, {at}"
STATEMENT_OUT_OF_DATE = (
    "{party}: ⚠️ out of date, the evidence changed after {who} confirmed it ({at})"
)
STATEMENT_NOT_YET = "{party}: not confirmed yet"
STATEMENT_STATE = {
    "missing": "not confirmed yet by the {parties}",
    "stale": "out of date (the evidence changed): to confirm again by the {parties}",
}
STATEMENT_CONFIRM = "I confirm"
STATEMENT_ASK_EMPLOYER = "Ask {who} to confirm"
STATEMENT_DONE = "Confirmed, thank you: {at}."
STATEMENT_ALREADY = "You've confirmed this already, for the evidence as it is now."
STATEMENT_CHANGED = "The evidence changed since that was shown. Here it is as it is now:"
STATEMENT_ASK_LEAD = "{apprentice} asks you to confirm their statement."
STATEMENT_ASKED = "I've sent {who} the statement to confirm."
STATEMENT_NOTICE = "{who} confirmed the employer and apprentice statement."

RECORDING_ASK = (
    "Send the video of the mentoring session: a video, a round video message or a video "
    "file. Mentor and mentee must both be visible; audio only isn't accepted. The plan needs "
    "two recordings of 30 minutes each, made after the gateway."
)
RECORDING_AUDIO = (
    "That's audio only, so it can't be a recording: the EPA plan needs mentor and mentee "
    "visible in the recording and says audio only recordings will not be accepted. Send a "
    "video instead, or /cancel."
)
RECORDING_NOT_VIDEO = "That isn't a video. Send the recording as a video or video file, or /cancel."
RECORDING_TOO_BIG = (
    "This video is {size} MB, over the 20 MB a bot can download through Telegram's cloud Bot "
    "API. I'll keep its details (length, date, who is visible) but not the file: hand the file "
    "to your assessor another way. Your centre can lift the limit by running a local Bot API "
    "server and setting TELEGRAM_API_BASE to it; then send the video again."
)
RECORDING_ASK_LENGTH = "Telegram didn't say how long it is. How many minutes is the recording?"
RECORDING_LENGTH_BAD = "Type the length in whole minutes, e.g. 32."
RECORDING_ASK_DAY = "When was the session recorded?  (or type: 3 Dec, 03/12)"
RECORDING_ASK_FORMAT = "One-to-one or group mentoring?"
RECORDING_ASK_VISIBLE = "Are you and your mentee(s) both visible in the recording?"
RECORDING_VISIBLE_YES = "Yes, both visible"
RECORDING_VISIBLE_NO = "No"
RECORDING_FORMATS = {"one_to_one": "One-to-one", "group": "Group"}
RECORDING_SAVED = "Saved the recording: {length}, recorded {day}, {format}."
RECORDING_ACCEPTED = "✅ It counts for the observation."
RECORDING_PROBLEM = {
    "short": "⚠️ Under 30 minutes: the plan asks for 30-minute recordings.",
    "length_unknown": "⚠️ Its length isn't known.",
    "before_gateway": (
        "⚠️ Recorded before the gateway date ({gateway}): the plan needs sessions recorded "
        "after the gateway, so this one doesn't count."
    ),
    "sent_before_gateway": (
        "⚠️ Sent before the gateway was confirmed ({gateway}): the plan needs sessions recorded "
        "after the gateway, so this one doesn't count."
    ),
    "duplicate": "⚠️ The same video as another recording: it counts once.",
    "no_gateway": "⚠️ The gateway isn't confirmed yet: only sessions recorded after it count.",
    "not_visible": "⚠️ Mentor and mentee must both be visible: this one doesn't count.",
}
RECORDING_NO_FILE = (
    "The file itself isn't stored (over the download limit): its details are kept, so hand "
    "the file to your assessor another way."
)
RECORDING_FETCH_FAILED = (
    "I couldn't fetch that video from Telegram, so nothing is saved. Please send it again."
)
RECORDING_DUPLICATE = (
    "You've sent this video already (recorded {day}, sent {sent}): the same session can't be "
    "two recordings. Send the video of another session, or /cancel."
)
RECORDING_ONLY_APPRENTICE = "Recordings are added by the apprentice, from their own journal."


# --- /epa: the ST1379 gateway portfolio (handlers.epa, journal.epa_selection) -------------------
EPA_ONLY_ST1379 = "The EPA portfolio is for ST1379 apprentices. This journal doesn't follow ST1379."
EPA_LOCKED = (
    "🔒 Your employer confirmed your gateway on {day} with this selection: it's the portfolio "
    "you submitted, so pieces and their KSB lines can't be changed any more. If something must "
    "change, ask your centre: they can reopen the gateway (<code>mentorlog apprenticeship "
    "--reopen-gateway</code>), then your employer confirms it again."
)
EPA_HEAD = (
    "<b>EPA portfolio</b>: {count} selected. The plan expects typically {low} to {high} "
    "pieces, each mapped to the KSBs it shows."
)
EPA_FEW = "⚠️ Fewer than {low}: that's a warning, not a rule. Add more if you have them."
EPA_MANY = "⚠️ More than {high}: that's a warning, not a rule. Keep the strongest pieces."
EPA_LINES_MISSING = "✏️ {count} still need a line for a KSB: tap <b>Write KSB lines</b>."
EPA_LINES_DONE = "✅ Every piece says how it shows each of its KSBs."
EPA_GAPS = "KSBs of the professional discussion without a piece: {codes}"
EPA_NO_GAPS = "✅ Every KSB of the professional discussion has a piece."
EPA_NONE_OFFERED = (
    "Nothing to choose yet: tag your entries to KSBs first (tap Tag under an entry, or /entries)."
)
EPA_RULE_ONLY = (
    "Not offered: {count} only the bot tagged by rule (such as mentee ratings). Tag one "
    "yourself to offer it."
)
EPA_PAGE = "Tap a piece to add it or take it out (✅ = in). Page {page} of {pages}."
EPA_DROPPED = "⚠️ {ref} is selected but is no longer a piece ({why}): take it out."
EPA_DROPPED_WHY = {
    "gone": "deleted",
    "reflective": "a reflective account or self-assessment",
    "statement": "the employer and apprentice statement",
    "training": "off-the-job training",
    "no_claim": "no KSB mapped to it any more",
    "opinion": "an employer's opinion, not direct observation",
}
EPA_TAKE_OUT = "✖ Take {ref} out"
EPA_PREV = "‹ Back"
EPA_NEXT = "Next ›"
EPA_WRITE_LINES = "Write KSB lines"
EPA_DONE = "Done"
EPA_CLOSED = "Your EPA portfolio is saved. /epa to change it, /export to download it."
EPA_ADDED = "Added {ref} ({count} selected)."
EPA_REMOVED = "Took {ref} out ({count} selected). Its KSB lines are kept if you add it again."
EPA_ASK_LINE = "{ref} is mapped to <b>{code}</b> ({words}).\nIn one line: how does it show {code}?"
EPA_LINE_SAVED = "Saved the line for {code}."
EPA_SKIP = "Skip for now"
EPA_LINE_BAD = {
    "empty": "Write one line on how the piece shows the KSB.",
    "too long": "That's over {limit} characters: one line, please.",
}
EPA_ALL_LINES = "✅ Every selected piece has its KSB lines."
EPA_ASK_WITNESS = (
    "{ref} comes from your employer or supervisor. The EPA takes what they <b>saw you do</b> "
    "(a witness statement), not their opinion of you. Is it a record of something they "
    "observed?"
)
EPA_WITNESS_YES = "Yes: they observed it"
EPA_WITNESS_NO = "No: it's their opinion"
EPA_ASK_OBSERVED = "In one line: what did they observe you doing?"
EPA_REFUSED = {
    "opinion": (
        "I've left {ref} out: an employer's opinion isn't evidence for the EPA. The plan asks "
        "for direct observation of your work (a witness statement)."
    ),
    "reflective": (
        "{ref} is a reflective account or self-assessment, which the EPA portfolio leaves out."
    ),
    "statement": "{ref} is the employer and apprentice statement: it goes with the portfolio.",
    "training": "{ref} is off-the-job training: it's in the export's off-the-job sheet.",
    "no_claim": "{ref} isn't mapped to a KSB yet: tag it to the KSBs it shows first.",
    "gone": "That entry isn't in your journal any more.",
}


# --- Anonymisation (/names, and an export held back because it still names someone) ---------

NAMES_ONLY_ST1379 = (
    "/names is for ST1379 portfolios: their exports are anonymised. Yours follows other "
    "qualifications, whose exports keep names."
)
NAMES_HEAD = (
    "<b>Names to hide in your ST1379 exports</b>\n"
    "Your mentees are hidden already (Mentee A, B …), with their first names, initials, "
    "usernames and email addresses. Add anyone else your evidence names: a colleague, your "
    "manager, a site."
)
NAMES_NONE = "No names added yet."
NAMES_LINE = "• {name} → {label}"
NAMES_ADD = {
    "colleague": "Add a colleague",
    "manager": "Add a manager",
    "site": "Add a site",
    "person": "Add someone else",
}
NAMES_ASK = {
    "colleague": "Type the colleague's name as your evidence writes it (or their @username).",
    "manager": "Type the manager's name as your evidence writes it (or their @username).",
    "site": "Type the site's whole name: a workplace, school or organisation.",
    "person": "Type the name as your evidence writes it (or their @username).",
}
NAMES_REMOVE = "Remove {name}"
NAMES_ADDED = (
    "Added: <b>{name}</b> shows as <b>{label}</b> in your ST1379 exports, in every form I "
    "know (first name, surname, initials)."
)
NAMES_SITE_ADDED = "Added: <b>{name}</b> shows as <b>{label}</b> in your ST1379 exports."
NAMES_ALREADY = "<b>{name}</b> is on the list already, as {label}."
NAMES_REMOVED = "Removed. {label} won't be given to anyone else in this portfolio."
NAMES_GONE = "That name isn't on the list any more."
NAMES_TOO_LONG = "A name can be at most {limit} characters."

EXPORT_HELD_BACK = (
    "<b>Not exported.</b> An ST1379 portfolio must be anonymised, and this one would still "
    "name someone:"
)
EXPORT_HELD_FILE = "• <b>{file}</b> ({ref}) names {found}."
EXPORT_HELD_UNREADABLE = "• <b>{file}</b> ({ref}) can't be checked: {problem}."
EXPORT_HELD_TEXT = "• {where}: “{name}”"
EXPORT_HELD_FILES_WHAT = (
    "Remove the file from its entry, or replace it with a copy without the name. Where only "
    "the file's details (its author, its title, a photo's EXIF) name someone, I can clean "
    "them. Then export again."
)
EXPORT_HELD_TEXTS_WHAT = (
    "Change that text in /entries (a name written run together, like a file name, isn't "
    "replaced), or remove the file it names. Then export again."
)
EXPORT_HELD_READER = (
    "This ST1379 export is held back: something in it still names someone. The apprentice "
    "has to change it before it can be exported."
)
ANON_REMOVE = "Remove {file}"
ANON_CLEAN = "Clean {file}"
ANON_REMOVED = "Removed <b>{file}</b> from {ref}. Export again when you're ready."
ANON_CLEANED = (
    "Cleaned <b>{file}</b> and checked it again: nothing in it names anyone now. Export "
    "again when you're ready."
)
ANON_CLEAN_NOT_ENOUGH = (
    "Cleaning <b>{file}</b> was not enough: it still names {found}. Remove it, or send a "
    "copy without the name."
)
ANON_CANT_CLEAN = "I can't clean <b>{file}</b> safely. Remove it, or send a copy without the name."
ANON_GONE = "That file isn't in the entry any more."
