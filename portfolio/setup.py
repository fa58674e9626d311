"""Make sure the portfolio page exists under the default site's home page."""

from wagtail.models import Page, Site

from .models import PortfolioPage


def ensure_portfolio_page():
    page = PortfolioPage.objects.first()
    if page is not None:
        return page
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    parent = site.root_page if site else Page.get_first_root_node()
    page = PortfolioPage(
        title="My portfolio",
        slug="portfolio",
        intro="Your reflections, reviews, marks and feedback in one place.",
    )
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page
