"""The files `ceengine courses new` writes: every key shown with a comment saying what it is.

Comments in YAML start with `#`; in the lesson's Markdown they are `<!-- ... -->` and never
reach the page. courses/README.md documents each key in full.
"""

from __future__ import annotations

COURSE_YAML = """\
# course.yaml: the course's details, shown on its page and printed on its certificate.
# Every key is documented in courses/README.md. Lines starting with # are comments: remove
# the # in front of an optional key (and its indented lines) to use it.

title: {title}
summary: One sentence that tells a clinician what the course gives them.   # at most 200 characters
description: |                  # Markdown, shown on the course page
  What the course is about and why a clinician would take it. Replace this text.
presenters:                     # at least one
  - name: {presenter}
    credentials: {credentials}
    bio: |                      # Markdown
      A few sentences about the presenter's training and work. Replace this text.
objectives:                     # "what you'll learn": at least one
  - Describe the core idea of this course.
  - Practise a short guided exercise and note what it changes.
ce_hours: {hours}# 0.25 steps; `ceengine courses credit-estimate` checks it
level: introductory             # introductory | intermediate | advanced
audience: Psychologists, social workers, counselors and nurses
published: false                # true when the course is ready to be listed and taken

# format: Self-paced online (home study)   # the default
# certificate:
#   fee: 0                      # 0 = free (default); e.g. 15.00
#   currency: usd               # default usd
#   license_details: none       # none (default) | optional | required
# quiz:                         # the defaults:
#   pass_threshold: 75          # percent needed to pass
#   max_attempts: unlimited     # or a whole number (learners then confirm their email)
#   wait_minutes: 0             # minutes between attempts
#   minimum_minutes: 0          # minutes of study before Score My Quiz works
#   shuffle: false              # shuffle the items for each attempt
#   feedback: after_pass        # after_pass | none
# evaluation:
#   required: true              # learners evaluate the course before their certificate
# reflections:
#   enabled: true
#   prompt: What insights did this session spark for you?
#   moderation: true            # each reflection waits for an admin's approval
# credit:                       # approvals in courses/sponsor.yaml that cover this course
#   - approval: example-board   # an approval's id
#     hours: 1                  # default: ce_hours
# not_approved_by:              # bodies that do NOT approve the course
#   - nbcc
# ce_broker_course: "123456"    # CE Broker's course number (Florida), in quotes
# references:                   # plain-text citations, APA style
#   - "Author, A. A. (2020). Title of the work. Journal, 1(2), 3-4."
"""


def course_yaml(title: str, presenter: str, credentials: str, hours: str) -> str:
    """course.yaml with the author's answers (each already written as a YAML value)."""
    return COURSE_YAML.format(
        title=title,
        presenter=presenter,
        credentials=credentials,
        hours=f"{hours:<22}",  # the comment lines up with the others
    )


LESSON_GUIDE = """\
<!--
  This is the lesson, in Markdown. Learners see everything except comments like this one.

  - Each "## " heading is a section. Its address is the heading in lowercase with hyphens
    ("## The Core Idea" is the-core-idea); quiz.yaml points each item at one.
  - The fenced blocks (```video, ```audio, ```reading, ```handout, ```exercise) are
    resources, written as YAML. There is one example of each below: change them, copy
    them or delete them. Media files live in this course's media/ folder.
  - Check your work with `ceengine courses check`, and see it with
    `ceengine courses preview`.
-->
"""

CORE_IDEA = """\
## The Core Idea

Replace this section with the lesson's first part: the idea, the evidence for it and what it
means in a clinician's day. Write in paragraphs, lists and tables as you would in an article.

```video
# A talk on YouTube or Vimeo. Write `id:` only once you have confirmed it on the site (the
# talk is then embedded). Without an id the page tells learners how to find the talk.
provider: youtube               # youtube | vimeo
# id: abcdefghijk               # the video's id from its address (youtube.com/watch?v=<id>)
channel: The presenter's channel   # where to find it when there is no id
title: Title of the talk
duration: 12:00                 # mm:ss or h:mm:ss
speaker: The speaker's name     # optional
description: One sentence shown under the title.   # optional
```

```reading
# A book, paper or web page to read. Without a url it is shown as a citation.
title: Title of the paper or book
author: Author Name             # optional
source: Journal or publisher, year   # optional
# url: https://doi.org/...      # optional; a full https:// address you have checked
note: One sentence on why it is worth reading.   # optional
```
"""

PRACTICE = """\
## A Guided Practice

Introduce the guided practice: what it is for and when to use it.

```audio
# A recording in media/ (.ogg, .mp3, .m4a or .wav). This example is a silent placeholder:
# replace media/guided-practice.wav with your recording and update the duration.
file: guided-practice.wav
title: A guided practice
duration: 0:02                  # mm:ss or h:mm:ss
transcript: |                   # required: every word of the recording
  Replace this with the full words of the recording.
```

```handout
# A file in media/ that learners download: .pdf, .txt or .md (a Markdown handout is also
# offered as a PDF to print).
file: practice-worksheet.md
title: Practice worksheet
description: One sentence on how to use it.   # optional
```

## Try It Yourself

Explain the exercise that follows and what learners should notice.

```exercise
# Something to do, step by step. Steps are Markdown.
title: A short practice
duration: 10 minutes            # optional; "10 minutes" counts in the credit estimate
steps:                          # at least one
  - Find a quiet place and sit comfortably.
  - Follow the guided practice above, then write down one thing you noticed.
reflection: What changed for you between the start and the end?   # optional
```
"""

LESSON_MD = f"""\
{LESSON_GUIDE}
Replace this paragraph with the introduction: who the course is for and what it covers.

{CORE_IDEA}
{PRACTICE}"""

MODULE_ONE = f"""\
# The Core Idea
{LESSON_GUIDE}
<!--
  A module file starts with its title as a "# " heading (without a number: pages number
  modules from the file names, 01-, 02-...). Add a module by adding a file.
-->

Replace this paragraph with the module's introduction.

{CORE_IDEA}"""

MODULE_TWO = f"""\
# Putting It into Practice

Replace this paragraph with the module's introduction.

{PRACTICE}"""

QUIZ_YAML = """\
# quiz.yaml: the comprehension quiz. Each item is answerable from the lesson and points at
# the section that teaches it. Aim for 6 to 8 items per CE hour: copy an item to add
# another, and give it an id of its own. Every key is documented in courses/README.md.
items:
  # A true/false item: the learner marks the statement True or False.
  - id: core-idea               # unique in the course; keeps the item's identity across versions
    type: true_false            # the default type, so this line may be left out
    statement: Replace this with a statement the lesson shows to be true.
    answer: true                # true | false
    explanation: Why the answer is right (shown once the learner has passed).
    section: the-core-idea      # the address of a "## " heading in the lesson

  # A multiple-choice item: one correct option among 2 to 6.
  - id: guided-practice-focus
    type: multiple_choice
    statement: Which of these does the guided practice ask you to do?
    options:
      - Write down one thing you noticed
      - Skip the practice
      - Time yourself against a colleague
    answer: Write down one thing you noticed   # the correct option, exactly as written above
    explanation: The exercise ends by writing down one thing you noticed.
    section: a-guided-practice

  # Another true/false item, with the type left out (true/false is the default).
  - id: notice-the-change
    statement: The exercise ends by asking what changed between its start and its end.
    answer: true
    explanation: Its reflection asks what changed for you between the start and the end.
    section: try-it-yourself
"""

HANDOUT_MD = """\
Replace this worksheet with your own handout. It is Markdown: learners download it as text
and as a PDF to print, headed with the course and the sponsor.

## Before the practice

How do you feel right now, in one sentence?

____________

## After the practice

What did you notice?

____________
"""
