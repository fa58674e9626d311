"""The portfolio's screens for learners, tutors, examiners and admins (not the CMS admin).

- `common`: sign-in for the portfolio's screens, `render` inside the PortfolioPage, and the
  lookups of a reflection the screens share;
- `dashboard`: one page per person, a section per role;
- `reading`: the list of reflections one may see (filters, search) and a reflection's page;
- `editing`: a learner writes: new, edit, autosave, submit (with the identifier check);
- `review`: a tutor reviews: the queue, the review page, request changes, sign off, and the
  review conversation's comments.
"""

# Other apps' screens sign in and render through these (`from portfolio.views import ...`).
from .common import portfolio_login_required, render

__all__ = ["portfolio_login_required", "render"]
