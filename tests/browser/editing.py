"""Writing in the reflection form's rich-text editor (portfolio/static/portfolio/js/
reflection-editor.js) as a person does: click into a section, type. The section textareas
are hidden once the editor runs, so browser tests type into the editor, never fill them."""


def editor_ready(page):
    """Wait until the page's editors have started."""
    page.wait_for_selector("form[data-editor-ready='']")


def write_section(page, key: str, text: str) -> None:
    """Replace what section `key` holds with `text`, typed into its editor."""
    editor_ready(page)
    box = page.locator(f"#id_section_{key}_editor")
    box.click()
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.press("Delete")
    page.keyboard.type(text)
