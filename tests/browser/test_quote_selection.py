"""With JavaScript, selecting words of the key message text and pressing "Quote this passage"
quotes exactly those words (footnote numbers left out), and the published quote is then
highlighted in the text, linking to the contribution."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Page, async_playwright, expect

from tests.browser.conftest import CHROMIUM_ARGS
from tests.browser.helpers import assert_no_axe_violations, sign_in, unique, watch_console
from tests.live import LiveServer, key_message_path, person, post_position

pytestmark = pytest.mark.browser

# RT4-KM3: "... overzichten nodig van de evolutie van de vaardigheidsbehoeften per regio[^14]. Die kunnen
# als leidraad dienen voor de programma’s voor de ontwikkeling van vaardigheden ..." (the last
# five words also appear in its first sentence).
KEY_MESSAGE = key_message_path("RT4-KM3")
ACROSS_THE_FOOTNOTE = "de vaardigheidsbehoeften per regio. Die kunnen"
REPEATED = "voor de ontwikkeling van vaardigheden"

#: The marker-free text of the key message as the page shows it, and the DOM position of a
#: character in it (footnote numbers and the links after highlights are not part of it).
TEXT_NODES = """
const root = document.querySelector("[data-quote-source]");
const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
const nodes = [];
for (let node = walker.nextNode(); node; node = walker.nextNode()) {
  if (!node.parentElement.closest(".fn-ref, [data-quote-skip]")) nodes.push(node);
}
const at = (index) => {
  for (const node of nodes) {
    if (index < node.data.length) return [node, index];
    index -= node.data.length;
  }
};
const plain = nodes.map((node) => node.data).join("");
"""

CHARACTER_BOX = (
    "([passage, occurrence]) => {"
    + TEXT_NODES
    + """
  let start = -1;
  for (let i = 0; i <= occurrence; i++) start = plain.indexOf(passage, start + 1);
  const box = (index) => {
    const [node, offset] = at(index);
    const range = document.createRange();
    range.setStart(node, offset);
    range.setEnd(node, offset + 1);
    const rect = range.getBoundingClientRect();
    return {left: rect.left, right: rect.right, middle: rect.top + rect.height / 2};
  };
  return {start, first: box(start), last: box(start + passage.length - 1)};
}"""
)


async def drag_over(page: Page, passage: str, occurrence: int = 0) -> int:
    """Select the passage with the mouse, from its first character to its last; returns
    where it starts in the marker-free text."""
    await page.locator("[data-quote-source]").scroll_into_view_if_needed()
    where = await page.evaluate(CHARACTER_BOX, [passage, occurrence])
    first, last = where["first"], where["last"]
    await page.mouse.move(first["left"] + 1, first["middle"])
    await page.mouse.down()
    await page.mouse.move(last["right"] - 1, last["middle"], steps=12)
    await page.mouse.up()
    return int(where["start"])


async def test_a_selected_passage_is_quoted_published_and_highlighted(page: Page, live_server: LiveServer) -> None:
    await sign_in(page, live_server.participant, KEY_MESSAGE)
    quote_button = page.get_by_role("button", name="Quote this passage")
    await expect(quote_button).to_be_hidden()
    form = page.locator("#contribution-form")
    await expect(form.get_by_text("You can also select any words of the key message text")).to_be_visible()

    await drag_over(page, ACROSS_THE_FOOTNOTE)
    await expect(quote_button).to_be_visible()
    await expect(page.locator("#quote-preview")).to_have_text(f"“{ACROSS_THE_FOOTNOTE}”")
    await quote_button.click()

    passage = form.get_by_label("Passage you comment on (optional)")
    await expect(passage).to_be_focused()
    await expect(passage).to_have_value(ACROSS_THE_FOOTNOTE)
    await expect(form.locator("[aria-live=polite]")).to_have_text(
        "The passage you selected is now quoted in your contribution."
    )
    await expect(quote_button).to_be_hidden()
    await assert_no_axe_violations(page, "the key message page with a quoted passage chosen")

    text = unique("The regional data must include diaspora skills.")
    await expect(page.locator("[data-quote-source] mark", has_text="vaardigheidsbehoeften")).to_have_count(0)
    await form.get_by_label("Oppose").check()
    await form.get_by_label("Your contribution").fill(text)
    await form.get_by_role("button", name="Publish my position").click()
    mine = page.locator("#just-published li.contribution", has_text=text)
    await expect(mine.locator("figure.quoted-passage blockquote")).to_have_text(ACROSS_THE_FOOTNOTE)
    contribution_id = await mine.get_attribute("id")
    assert contribution_id is not None
    # The highlight appears without a reload, and is there after one.
    await expect(page.locator("[data-quote-source] mark", has_text="vaardigheidsbehoeften")).to_have_count(1)

    await page.reload()
    mark = page.locator("[data-quote-source] mark", has_text="vaardigheidsbehoeften")
    await expect(mark).to_have_text("de vaardigheidsbehoeften per regio14. Die kunnen")
    await expect(mark.locator("sup.fn-ref a")).to_have_attribute("href", "#fn-14")
    link = page.locator(f"[data-quote-source] a.quoted-by[href='/contributions/{contribution_id[1:]}']")
    await expect(link).to_have_accessible_name("Quoted by 1 contribution")
    await assert_no_axe_violations(page, "the key message text with a highlighted passage")
    await link.click()
    await expect(page.locator(f"#{contribution_id}")).to_contain_text(text)


async def test_a_reply_quotes_the_occurrence_selected_with_the_button_pressed_by_keyboard(
    page: Page, live_server: LiveServer
) -> None:
    async with person(live_server, live_server.participant) as participant:
        parent_id = await post_position(participant, "RT4-KM3", unique("A position to answer with a quote."))
    await sign_in(page, live_server.participant, KEY_MESSAGE)
    await page.locator(f"#c{parent_id}").get_by_role("link", name="Reply").first.click()
    reply_form = page.locator(f"#c{parent_id} > article > .slot form")
    await reply_form.get_by_role("textbox").focus()  # the form the reader is writing in

    start = await drag_over(page, REPEATED, occurrence=1)
    quote_button = page.get_by_role("button", name="Quote this passage")
    await quote_button.focus()
    await page.keyboard.press("Enter")

    passage = reply_form.get_by_label("Passage you comment on (optional)")
    await expect(passage).to_be_focused()
    await expect(passage).to_have_value(REPEATED)
    await expect(reply_form.locator("input[name=quote_start]")).to_have_value(str(start))
    await expect(page.locator("#contribution-form select[name=quote_text]")).to_have_value("")

    text = unique("Skills recognition needs the second programme too.")
    await reply_form.get_by_role("textbox").fill(text)
    await reply_form.get_by_role("button", name="Publish my reply").click()
    reply = page.locator(f"#c{parent_id} li.contribution", has_text=text)
    await expect(reply).to_have_count(1)
    reply_id = await reply.get_attribute("id")
    link = page.locator(f"[data-quote-source] a.quoted-by[href='/contributions/{str(reply_id)[1:]}']")
    await expect(link).to_have_count(1)  # highlighted without a reload

    await page.reload()
    before_mark = await link.evaluate(
        "link => link.previousElementSibling.previousSibling.textContent"  # the text before the <mark>
    )
    assert before_mark.endswith("dienen voor de programma’s "), "the second occurrence is the one highlighted"


async def test_choosing_a_listed_sentence_forgets_the_selected_start(page: Page, live_server: LiveServer) -> None:
    await sign_in(page, live_server.participant, KEY_MESSAGE)
    form = page.locator("#contribution-form")
    await drag_over(page, REPEATED, occurrence=1)
    await page.get_by_role("button", name="Quote this passage").click()
    await expect(form.locator("input[name=quote_start]")).not_to_have_value("")

    await form.get_by_label("Passage you comment on (optional)").select_option(index=2)

    await expect(form.locator("input[name=quote_start]")).to_have_value("")


@pytest.fixture
async def caret_browsing_page(chromium: str, live_server: LiveServer) -> AsyncIterator[Page]:
    """Chromium with caret browsing on (F7), how keyboard users select text in a page."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium, args=[*CHROMIUM_ARGS, "--enable-caret-browsing"]
        )
        page = await browser.new_page(base_url=live_server.base_url, locale="en-GB")
        log = watch_console(page)
        yield page
        await browser.close()
    assert not log.unexpected(), log.unexpected()


async def test_a_passage_selected_with_the_keyboard_is_quoted(
    caret_browsing_page: Page, live_server: LiveServer
) -> None:
    page = caret_browsing_page
    await sign_in(page, live_server.participant, KEY_MESSAGE)
    where = await page.evaluate(CHARACTER_BOX, ["moeten worden gepromoot", 0])
    await page.mouse.click(where["first"]["left"] + 1, where["first"]["middle"])  # the caret, before "moeten"

    for _ in range(3):
        await page.keyboard.press("Shift+Control+ArrowRight")
    await expect(page.get_by_role("button", name="Quote this passage")).to_be_visible()
    await tab_to(page, "Quote this passage")  # on through the links in the text to the button
    await page.keyboard.press("Enter")

    chosen = await page.locator("#contribution-form select[name=quote_text]").input_value()
    assert chosen.startswith("moeten worden gepromoot"), chosen
    plain = await page.evaluate("() => {" + TEXT_NODES + "return plain; }")
    start = int(await page.locator("#contribution-form input[name=quote_start]").input_value())
    assert plain[start : start + len(chosen)] == chosen, "the passage is exactly where it was selected"


#: Whether the caret (the selection's focus) stands right before `target`, spaces aside.
CARET_BEFORE = (
    "(target) => {"
    + TEXT_NODES
    + """
  const selection = getSelection();
  const probe = document.createRange();
  probe.setStart(selection.focusNode, selection.focusOffset);
  let count = 0;
  for (const node of nodes) {
    if (node === selection.focusNode) { count += selection.focusOffset; break; }
    if (probe.comparePoint(node, 0) >= 0) break;
    count += node.data.length;
  }
  return plain.slice(count).trimStart().startsWith(target);
}"""
)


async def tab_to(page: Page, name: str) -> None:
    """Press Tab until the button named `name` has focus, as a keyboard user would."""
    button = page.get_by_role("button", name=name)
    for _ in range(80):
        if await button.evaluate("button => button === document.activeElement"):
            return
        await page.keyboard.press("Tab")
    pytest.fail(f"Tab never reached “{name}”")


async def test_chosen_words_are_quoted_with_the_keyboard_only(page: Page, live_server: LiveServer) -> None:
    """No mouse and no caret browsing: "Select words to quote" lets the browser's caret move
    in the text, Shift+Ctrl+arrows select words, Enter quotes them."""
    await sign_in(page, live_server.participant, KEY_MESSAGE)
    source = page.locator("[data-quote-source]")
    original = await source.inner_text()
    await tab_to(page, "Select words to quote")
    await page.keyboard.press("Enter")

    text_box = page.get_by_role("textbox", name="Key message text")
    await expect(text_box).to_be_focused()
    await expect(text_box).to_have_attribute("aria-readonly", "true")
    await page.keyboard.type("typed")  # a read-only text box: nothing is written into the key message
    await page.keyboard.press("Backspace")
    assert await source.inner_text() == original
    for _ in range(200):
        if await page.evaluate(CARET_BEFORE, "moeten worden gepromoot"):
            break
        await page.keyboard.press("Control+ArrowRight")
    else:
        pytest.fail("the caret never came before “moeten worden gepromoot”")
    for _ in range(3):
        await page.keyboard.press("Shift+Control+ArrowRight")
    await expect(page.locator("#quote-preview")).to_have_text("“moeten worden gepromoot”")
    await assert_no_axe_violations(page, "the key message text while words are chosen with the keyboard")
    await page.keyboard.press("Enter")

    form = page.locator("#contribution-form")
    passage = form.get_by_label("Passage you comment on (optional)")
    await expect(passage).to_be_focused()
    await expect(passage).to_have_value("moeten worden gepromoot")
    await expect(form.locator("[aria-live=polite]")).to_have_text(
        "The passage you selected is now quoted in your contribution."
    )
    plain = await page.evaluate("() => {" + TEXT_NODES + "return plain; }")
    start = int(await form.locator("input[name=quote_start]").input_value())
    assert plain[start : start + len("moeten worden gepromoot")] == "moeten worden gepromoot"
    await expect(source).not_to_have_attribute("contenteditable", "true")  # a paragraph again
    await expect(page.get_by_role("textbox", name="Key message text")).to_have_count(0)


async def test_escape_leaves_the_text_for_the_button_that_opened_it(page: Page, live_server: LiveServer) -> None:
    await sign_in(page, live_server.participant, KEY_MESSAGE)
    await tab_to(page, "Select words to quote")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("textbox", name="Key message text")).to_be_focused()

    await page.keyboard.press("Escape")

    await expect(page.get_by_role("button", name="Select words to quote")).to_be_focused()
    await expect(page.locator("[data-quote-source]")).not_to_have_attribute("contenteditable", "true")
