"""Sample certificates a person looks at: free with no credit, several approvals, a long
Arabic and Chinese name; each at Letter and A4, drawn to PNG in test-artifacts/."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from types import ModuleType

ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"

APA = (
    "Compassion CE Institute is approved by the American Psychological Association to sponsor "
    "continuing education for psychologists. Compassion CE Institute maintains responsibility "
    "for this program and its content."
)
ASWB = (
    "Compassion CE Institute, provider #1234, is approved as an ACE provider to offer social "
    "work continuing education by the Association of Social Work Boards (ASWB) Approved "
    "Continuing Education (ACE) program. Regulatory boards are the final authority on courses "
    "accepted for continuing education credit. ACE provider approval period: 2025-03-01 to "
    "2028-05-31. Social workers completing this course receive 1 clinical continuing "
    "education credit."
)
NBCC = (
    "Compassion CE Institute has been approved by NBCC as an Approved Continuing Education "
    "Provider, ACEP No. 6789. Programs that do not qualify for NBCC credit are clearly "
    "identified. Compassion CE Institute is solely responsible for all aspects of the programs."
)


def samples(render: ModuleType) -> dict[str, object]:
    """The three sample certificates, built with `render`'s own data classes."""
    data, credit = render.CertificateData, render.PrintedCredit
    base = dict(
        number="7KQ2-M9XD-4HTR-V",
        course_title="Compassion Cultivation Training for Healthcare Professionals",
        presenters="Gonzalo Brito-Pons, PhD",
        ce_hours="2",
        course_format="Self-paced online (home study)",
        completion_date="November 21, 2026",
        score="13 of 14 (92%)",
        sponsor_name="Compassion CE Institute",
        sponsor_contact="ce@compassion-ce.example.org",
        verify_url="https://ce.compassion-ce.example.org/verify/7KQ2-M9XD-4HTR-V",
        administrator="Dana Reyes, PhD, CE Administrator",
    )
    free = data(
        **{
            **base,
            "learner_name": "José Álvarez-Núñez",
            "course_title": "A Short Demo Lesson on Self-Compassion",
            "ce_hours": "1",
            "sponsor_name": "ceengine Continuing Education",
            "sponsor_contact": "ce@example.org",
            "administrator": "CE Administrator",
        }
    )
    credits = (
        credit(
            "APA",
            "American Psychological Association",
            "Compassion CE Institute",
            "",
            "",
            "2 CE credits",
            "Self-paced online (home study)",
            APA,
        ),
        credit(
            "ASWB ACE",
            "Association of Social Work Boards",
            "Compassion CE Institute",
            "1234",
            "2025-03-01 to 2028-05-31",
            "1 continuing education hour (clinical)",
            "Self-paced online (home study)",
            ASWB,
        ),
        credit(
            "NBCC",
            "National Board for Certified Counselors",
            "Compassion CE Institute",
            "6789",
            "",
            "2 clock hours",
            "Self-paced online (home study)",
            NBCC,
        ),
    )
    approved = data(
        **base,
        learner_name="Margaret O'Connor-Whitfield",
        license_line="LCSW · License 12345 (CA)",
        credits=credits,
        not_approved_by=("California Board of Behavioral Sciences",),
    )
    long_name = data(
        **base,
        learner_name="محمد بن عبد الله الهاشمي 王小明 (Muhammad ibn Abdullah al-Hashimi Wang)",
        license_line="Psychologist · License PSY 998877 (NY)",
        credits=credits[:1],
    )
    return {"free": free, "approvals": approved, "long-name": long_name}


def write_pngs(render: ModuleType, label: str, folder: Path = ARTIFACTS) -> list[Path]:
    """Render every sample at Letter and A4 and draw each page at 60 dpi:
    certificate-{label}-{sample}-{paper}[-page].png."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory() as work:
        for name, data in samples(render).items():
            for paper in ("letter", "a4"):
                pdf = Path(work) / f"{name}-{paper}.pdf"
                pdf.write_bytes(render.render_certificate(data, paper=paper))
                stem = Path(work) / f"{name}-{paper}"
                subprocess.run(["pdftoppm", "-r", "60", "-png", pdf, stem], check=True)
                for number, page in enumerate(sorted(Path(work).glob(f"{name}-{paper}-*.png"))):
                    suffix = "" if number == 0 else f"-page{number + 1}"
                    target = folder / f"certificate-{label}-{name}-{paper}{suffix}.png"
                    shutil.move(page, target)
                    written.append(target)
    return written


def render_at(commit: str) -> ModuleType:
    """render.py as it was at `commit` (fonts.py and the rest as they are now)."""
    source = subprocess.run(
        ["git", "show", f"{commit}:ceengine/certificates/render.py"],
        check=True,
        capture_output=True,
        text=True,
        cwd=ARTIFACTS.parent,
    ).stdout
    module = ModuleType(f"render_{commit}")
    sys.modules[module.__name__] = module  # dataclasses look their module up
    exec(compile(source, f"render.py@{commit}", "exec"), module.__dict__)  # noqa: S102
    return module


if __name__ == "__main__":
    # python -m tests.support.certificate_samples [COMMIT]: after, or before as at COMMIT.
    from ceengine.certificates import render

    if len(sys.argv) > 1:
        print(*write_pngs(render_at(sys.argv[1]), "before"), sep="\n")
    else:
        print(*write_pngs(render, "after"), sep="\n")
