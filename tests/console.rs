//! The agent console (`GET /`) in a real headless Chromium, used as a store clerk or a phone
//! agent would: a real `honor serve` on a free loopback port with a temporary SQLite ledger
//! and a small rule set.
//!
//! These tests need Chromium and ChromeDriver (`apt-get install -y chromium
//! chromium-driver`); without them they fail and say so. Screenshots of the main states are
//! written to `target/tmp/console/` (see [`shots`]).

mod browser;
mod server;

use browser::{Browser, run};
use fantoccini::actions::{
    InputSource, KeyAction, KeyActions, MOUSE_BUTTON_LEFT, MouseActions, PointerAction,
};
use fantoccini::key::Key;
use server::{Server, Value, json, scratch};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Every page is opened at this instant (`?at=`), so windows and time left never drift.
const AT: &str = "2026-12-01T15:00:00Z";

/// A small rule set: a coded offer with a limit, a stackable offer without one, an
/// online-only offer, and one whose texts are markup that must stay text.
const RULES: &str = r#"
timezone "America/Chicago"
channels web, store, phone

context {
  customer.tenure_months  number
  customer.plan           text
  customer.employee       bool
  customer.birth_date     date
}

offer free_upgrade {
  title     "Free phone upgrade for loyal customers"
  announce  email
  valid     2026-11-15 to 2027-01-31
  code      "UPGRADE-WINTER26"
  when      "long-time customer": customer.tenure_months >= 12
  benefit   price 0.00 USD
  limit     1 per customer
  priority  10
  note      "Apply the upgrade at no charge: this emailed offer is honored on every channel."
  on store { note "Scan the code in the customer's email, or type it at the till." }
}

offer loyalty_ten {
  title     "10% off for customers of two years or more"
  valid     2026-11-01 to 2027-12-31
  when      "customer for two years": customer.tenure_months >= 24
  benefit   10% off up to 25.00 USD
  stackable
  note      "Loyalty thanks: 10% off, at most 25.00 USD, on top of other offers."
}

offer online_line {
  title     "15.00 USD off a new line, online only"
  announce  web
  honor     web
  elsewhere "This price is online only: the customer can order at example.com/lines with the same account."
  valid     2026-11-20 to 2027-02-28
  code      "LINE-15"
  benefit   15.00 USD off
  note      "Online-only price; show the customer the order page."
}

offer spring_preview {
  title     "Early spring price"
  valid     2026-12-05 to 2027-03-31
  benefit   5.00 USD off
  stackable
  note      "The spring price: 5.00 USD off."
}

offer last_unit {
  title     "A free case, while the one left lasts"
  valid     2026-11-01 to 2027-03-31
  benefit   free "a phone case"
  budget    1 redemptions
  note      "Hand over the case."
}

offer markup {
  title     "Winter <script>alert(1)</script> deal"
  valid     2026-11-01 to 2027-03-31
  benefit   free "a <b>gift</b> & <img src=x onerror=alert(2)>"
  note      "<i>Say</i> this & <img src=x onerror=alert(3)>"
}
"#;

const HOSTILE_TITLE: &str = "Winter <script>alert(1)</script> deal";

/// Where the tests' screenshots go: `target/tmp/console/NAME.png`.
fn shots() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("console")
}

/// `honor serve` on [`RULES`] with a new SQLite ledger in a scratch folder.
fn console_server(name: &str, extra: &[&str]) -> Arc<Server> {
    let dir = scratch(&format!("console-{name}"));
    let rules = dir.join("rules");
    std::fs::create_dir_all(&rules).unwrap();
    std::fs::write(rules.join("console.offer"), RULES).unwrap();
    let rules = rules.display().to_string();
    let ledger = format!("sqlite:{}", dir.join("ledger.db").display());
    let mut args = vec!["--rules", rules.as_str(), "--ledger", ledger.as_str()];
    args.extend(extra);
    Arc::new(Server::start(&args))
}

fn page(server: &Server) -> String {
    format!("{}/?at={AT}", server.base)
}

/// Chooses a channel in the select at the top, as an agent would.
async fn choose_channel(b: &Browser, channel: &str) {
    let select = b.id("channel").await;
    b.until(
        "the channels are listed",
        "return document.querySelectorAll('#channel option').length > 1",
    )
    .await;
    select
        .select_by_value(channel)
        .await
        .expect("the channel can be chosen");
    b.until(
        &format!("the offers for {channel} are shown"),
        &format!(
            "return document.getElementById('offers').getAttribute('data-channel') === {};",
            json!(channel)
        ),
    )
    .await;
}

/// Types into a form field of the customer form (by its schema path).
async fn fill(b: &Browser, path: &str, text: &str) {
    let input = b.id(&format!("f-{path}")).await;
    input.clear().await.unwrap();
    input.send_keys(text).await.unwrap();
}

/// The status words shown on an offer's card in the decision.
async fn status_of(b: &Browser, offer: &str) -> String {
    b.text_of(&format!(
        "#decision-body .card[data-offer='{offer}'] .status"
    ))
    .await
}

/// Waits until the decision shows `offer` with `status` (the data attribute, not colour).
async fn wait_for_status(b: &Browser, offer: &str, status: &str) {
    b.until(
        &format!("{offer} shown as {status}"),
        &format!(
            "const c = document.querySelector(\"#decision-body .card[data-offer='{offer}']\"); return c && c.getAttribute('data-status') === '{status}';"
        ),
    )
    .await;
}

/// The customer's ledger entries, from the API (not from the page).
fn ledger_entries(server: &Server, customer: &str) -> Vec<Value> {
    let (status, body) = tokio::task::block_in_place(|| {
        server.get(&format!("/v1/customers/{customer}/redemptions"))
    });
    assert_eq!(status, 200, "{body}");
    body["redemptions"]
        .as_array()
        .cloned()
        .unwrap_or_else(|| panic!("a list of redemptions: {body}"))
}

fn active(entries: &[Value], offer: &str) -> usize {
    entries
        .iter()
        .filter(|e| e["offer"] == offer && e["reversed"].is_null())
        .count()
}

#[test]
fn a_code_read_out_with_odd_spacing_and_case_finds_the_offer_and_what_to_say() {
    let server = console_server("code", &[]);
    let url = page(&server);
    run(1280, 1000, move |b| async move {
        b.goto(&url).await;
        choose_channel(&b, "store").await;
        let code = b.id("code").await;
        code.send_keys("   upgrade-WINTER26  ").await.unwrap();
        code.send_keys(&Key::Enter.to_string()).await.unwrap();
        let found = b
            .wait_for_text("#code-result", "Free phone upgrade for loyal customers")
            .await;
        assert!(found.contains("Say and do"), "{found}");
        assert!(
            found.contains("Scan the code in the customer's email, or type it at the till."),
            "the store's own note: {found}"
        );
        assert!(found.contains("UPGRADE-WINTER26"), "{found}");
        b.screenshot(&shots(), "code-lookup").await;

        // An online-only code read out in the store: what to tell the customer instead.
        code.clear().await.unwrap();
        code.send_keys(" Line-15\t").await.unwrap();
        b.id("code-form")
            .await
            .find(fantoccini::Locator::Css("button"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let elsewhere = b
            .wait_for_text("#code-result", "Not honored here — tell the customer")
            .await;
        assert!(
            elsewhere
                .contains("This price is online only: the customer can order at example.com/lines"),
            "{elsewhere}"
        );
        assert!(
            elsewhere.contains("Honored on\nweb") || elsewhere.contains("Honored on web"),
            "{elsewhere}"
        );
        b.screenshot(&shots(), "code-elsewhere").await;

        // A code nobody has.
        code.clear().await.unwrap();
        code.send_keys("NOPE-1\n").await.unwrap();
        b.wait_for_text("#code-result", "No offer has the code “NOPE-1”")
            .await;
    });
}

#[test]
fn the_generated_form_decides_a_customer_and_shows_the_quote_with_each_step() {
    let server = console_server("decide", &[]);
    let url = page(&server);
    run(1280, 1400, move |b| async move {
        b.goto(&url).await;
        choose_channel(&b, "phone").await;
        // One input per schema field, of the right kind.
        let kinds = b
            .until(
                "the form is made from the schema",
                "const f = (p) => document.getElementById('f-' + p); \
                 return f('customer.tenure_months') && [f('customer.tenure_months').type, f('customer.birth_date').type, \
                 f('customer.employee').tagName, f('price').type, !!document.getElementById('f-price-currency'), \
                 f('codes').type, !!document.getElementById('f-codes-empty')];",
            )
            .await;
        assert_eq!(
            kinds,
            json!(["text", "date", "SELECT", "text", true, "text", true])
        );
        fill(&b, "customer.tenure_months", "26").await;
        fill(&b, "customer.plan", "family").await;
        fill(&b, "codes", " upgrade-winter26").await;
        fill(&b, "price", "130.00").await;
        // A customer who never redeemed anything (without a customer id, the agent says so).
        b.id("f-redeemed-empty").await.click().await.unwrap();
        let currency = b.id("f-price-currency").await;
        currency.clear().await.unwrap();
        currency.send_keys("usd").await.unwrap();
        // Enter in a field submits the form.
        currency.send_keys(&Key::Enter.to_string()).await.unwrap();
        wait_for_status(&b, "free_upgrade", "eligible").await;
        assert_eq!(status_of(&b, "free_upgrade").await, "Eligible");
        assert_eq!(status_of(&b, "online_line").await, "Not honored here");
        // A screen reader hears one sentence, not the whole decision.
        let heard = b.text_of("#announce").await;
        assert!(heard.starts_with("Decision on phone: "), "{heard}");
        assert!(heard.ends_with("the customer pays 0.00 USD."), "{heard}");
        let quote = b.text_of("#quote").await;
        assert!(quote.contains("List price 130.00 USD"), "{quote}");
        assert!(quote.contains("Customer pays 0.00 USD"), "{quote}");
        assert!(quote.contains("free_upgrade, loyalty_ten"), "{quote}");
        assert!(
            b.until(
                "the quote's steps",
                "return document.querySelectorAll('#quote .steps li').length"
            )
            .await
            .as_u64()
                >= Some(2)
        );
        // Not yet: from when, in UTC and in the agent's own time.
        let spring = b
            .text_of("#decision-body .card[data-offer='spring_preview']")
            .await;
        assert!(spring.contains("Not eligible"), "{spring}");
        assert!(
            spring.contains("Eligible from: 2026-12-05T06:00:00Z"),
            "{spring}"
        );
        assert!(
            spring.contains("the offer starts 2026-12-05T06:00:00Z"),
            "{spring}"
        );
        let online = b
            .text_of("#decision-body .card[data-offer='online_line']")
            .await;
        assert!(online.contains("This price is online only"), "{online}");
        b.screenshot(&shots(), "decision").await;

        // Numbers go to the service as typed: 11.9999999999999999999 is not 12.
        fill(&b, "customer.tenure_months", "11.9999999999999999999").await;
        b.id("decide").await.click().await.unwrap();
        wait_for_status(&b, "free_upgrade", "ineligible").await;
        let reason = b
            .text_of("#decision-body .card[data-offer='free_upgrade']")
            .await;
        assert!(reason.contains("11.9999999999999999999"), "{reason}");
        // What would it take, with the gap exact as the service computed it.
        assert!(reason.contains("What would it take:"), "{reason}");
        assert!(
            reason.contains("customer.tenure_months >= 12 (now 11.9999999999999999999, short by 0.0000000000000000001)"),
            "{reason}"
        );

        // A field left empty is asked for, not guessed.
        fill(&b, "customer.tenure_months", "").await;
        b.id("decide").await.click().await.unwrap();
        wait_for_status(&b, "free_upgrade", "unknown").await;
        let ask = b
            .text_of("#decision-body .card[data-offer='free_upgrade']")
            .await;
        assert!(
            ask.contains("Ask the customer for: customer.tenure_months"),
            "{ask}"
        );

        // A bad number is refused on the page, where it was typed.
        fill(&b, "customer.tenure_months", "2,5").await;
        b.id("decide").await.click().await.unwrap();
        let error = b
            .wait_for_text("#f-customer\\.tenure_months-error", "enter a number")
            .await;
        assert!(error.contains("`2,5`"), "{error}");

        // All channels: parity, and one section per channel.
        fill(&b, "customer.tenure_months", "26").await;
        choose_channel(&b, "all").await;
        let all = b
            .wait_for_text(
                "#decision-body",
                "Parity: every channel that honors an offer gives the same answer",
            )
            .await;
        assert!(
            all.contains("online_line: not honored on store, phone"),
            "{all}"
        );
        for channel in ["web", "store", "phone"] {
            assert!(all.contains(&format!("On {channel}")), "{all}");
        }
        b.screenshot(&shots(), "parity").await;
    });
}

#[test]
fn a_double_click_redeems_once_then_undo_and_the_ledger_refuses_past_the_limit() {
    let server = console_server("redeem", &[]);
    let url = page(&server);
    let api = server.clone();
    run(1280, 1400, move |b| async move {
        b.goto(&url).await;
        choose_channel(&b, "store").await;
        fill(&b, "customer.tenure_months", "26").await;
        fill(&b, "codes", "UPGRADE-WINTER26").await;
        fill(&b, "price", "130.00").await;
        fill(&b, "price-currency", "USD").await;
        let id = b.id("customer-id").await;
        id.send_keys("c-1042\n").await.unwrap();
        wait_for_status(&b, "loyalty_ten", "eligible").await;

        // A double click on an offer without a limit: one redemption, not two.
        let redeem = b
            .css("#decision-body .redeem-button[data-offer='loyalty_ten']")
            .await;
        let actions = MouseActions::new("mouse".into())
            .then(PointerAction::MoveToElement {
                element: redeem.clone(),
                duration: None,
                x: 0.0,
                y: 0.0,
            })
            .then(PointerAction::Down {
                button: MOUSE_BUTTON_LEFT,
            })
            .then(PointerAction::Up {
                button: MOUSE_BUTTON_LEFT,
            })
            .then(PointerAction::Down {
                button: MOUSE_BUTTON_LEFT,
            })
            .then(PointerAction::Up {
                button: MOUSE_BUTTON_LEFT,
            });
        b.client.perform_actions(actions).await.unwrap();
        b.wait_for_text("#ledger-log", "Recorded: loyalty_ten for c-1042 on store")
            .await;
        // Give a second request, had one been sent, time to land.
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        let entries = ledger_entries(&api, "c-1042");
        assert_eq!(active(&entries, "loyalty_ten"), 1, "{entries:?}");
        assert_eq!(entries.len(), 1, "{entries:?}");

        // The coded offer, limit 1: recorded, and the refreshed decision says the limit is reached.
        b.css("#decision-body .redeem-button[data-offer='free_upgrade']")
            .await
            .click()
            .await
            .unwrap();
        b.wait_for_text("#ledger-log", "Recorded: free_upgrade")
            .await;
        wait_for_status(&b, "free_upgrade", "ineligible").await;
        b.screenshot(&shots(), "redeemed").await;

        // Undo: reversed in the ledger, and the offer is eligible again.
        b.css("#ledger-log .undo-button")
            .await
            .click()
            .await
            .unwrap();
        b.wait_for_text("#ledger-log", "Undone: reversed in the ledger")
            .await;
        wait_for_status(&b, "free_upgrade", "eligible").await;
        let entries = ledger_entries(&api, "c-1042");
        assert_eq!(active(&entries, "free_upgrade"), 0, "{entries:?}");

        // Another till redeems it meanwhile; this page still shows it eligible, and the
        // ledger refuses a second one.
        let (status, body) = tokio::task::block_in_place(|| {
            api.post(
                "/v1/redemptions",
                &json!({
                    "key": "other-till-1", "customer": "c-1042", "offer": "free_upgrade",
                    "channel": "phone", "at": AT,
                    "context": {"customer": {"tenure_months": 26}, "codes": ["UPGRADE-WINTER26"]},
                }),
            )
        });
        assert_eq!(status, 201, "{body}");
        b.css("#decision-body .redeem-button[data-offer='free_upgrade']")
            .await
            .click()
            .await
            .unwrap();
        let refused = b
            .wait_for_text("#ledger-log", "Not recorded — limit reached")
            .await;
        assert!(refused.contains("free_upgrade"), "{refused}");
        b.screenshot(&shots(), "limit-reached").await;
        let entries = ledger_entries(&api, "c-1042");
        assert_eq!(active(&entries, "free_upgrade"), 1, "{entries:?}");

        // The last unit of a budget goes to another customer meanwhile: "budget exhausted".
        wait_for_status(&b, "last_unit", "eligible").await;
        let (status, body) = tokio::task::block_in_place(|| {
            api.post(
                "/v1/redemptions",
                &json!({
                    "key": "other-till-2", "customer": "c-7", "offer": "last_unit",
                    "channel": "web", "at": AT, "context": {},
                }),
            )
        });
        assert_eq!(status, 201, "{body}");
        b.css("#decision-body .redeem-button[data-offer='last_unit']")
            .await
            .click()
            .await
            .unwrap();
        b.wait_for_text("#ledger-log", "Not recorded — budget exhausted: last_unit")
            .await;
        assert_eq!(active(&ledger_entries(&api, "c-1042"), "last_unit"), 0);
    });
}

#[test]
fn rule_texts_with_markup_are_shown_as_text() {
    let server = console_server("markup", &[]);
    let url = page(&server);
    run(1280, 1000, move |b| async move {
        b.goto(&url).await;
        choose_channel(&b, "web").await;
        let title = b.css("#offers .card[data-offer='markup'] h3").await;
        assert_eq!(title.text().await.unwrap(), HOSTILE_TITLE);
        let card = b.text_of("#offers .card[data-offer='markup']").await;
        assert!(
            card.contains("<i>Say</i> this & <img src=x onerror=alert(3)>"),
            "{card}"
        );
        // Decide, so the texts also pass through the decision.
        b.id("decide").await.click().await.unwrap();
        wait_for_status(&b, "markup", "eligible").await;
        let decided = b
            .css("#decision-body .card[data-offer='markup'] h3")
            .await
            .text()
            .await
            .unwrap();
        assert_eq!(decided, HOSTILE_TITLE);
        let planted = b
            .client
            .execute(
                "return document.querySelectorAll('main script, main img, main b, main i, #offers script, #offers img').length",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(planted, json!(0), "no element came from a rule text");
        assert!(
            b.client.get_alert_text().await.is_err(),
            "no script from a rule text ran"
        );
    });
}

#[test]
fn the_page_reads_at_360_pixels_wide_without_horizontal_scroll() {
    let server = console_server("narrow", &[]);
    let url = page(&server);
    run(360, 800, move |b| async move {
        b.goto(&url).await;
        choose_channel(&b, "store").await;
        let width = b
            .client
            .execute("return window.innerWidth", vec![])
            .await
            .unwrap();
        assert_eq!(width, json!(360), "the window is 360 px wide");
        b.id("code").await.send_keys("line-15\n").await.unwrap();
        b.wait_for_text("#code-result", "Not honored here").await;
        fill(&b, "customer.tenure_months", "26").await;
        fill(&b, "codes", "upgrade-winter26").await;
        fill(&b, "price", "130.00").await;
        fill(&b, "price-currency", "USD").await;
        b.id("f-redeemed-empty").await.click().await.unwrap();
        b.id("decide").await.click().await.unwrap();
        wait_for_status(&b, "free_upgrade", "eligible").await;
        let scroll = b
            .client
            .execute("return document.documentElement.scrollWidth", vec![])
            .await
            .unwrap();
        assert!(
            scroll.as_u64().is_some_and(|w| w <= 360),
            "the page is {scroll} px wide at a 360 px window"
        );
        b.screenshot(&shots(), "narrow-360").await;
    });
}

#[test]
fn with_tokens_the_agent_pastes_the_channel_token_once() {
    let dir = scratch("console-tokens-file");
    let tokens = dir.join("tokens");
    std::fs::write(&tokens, "store store-token-0123456789abcdef\n").unwrap();
    let tokens = tokens.display().to_string();
    let server = console_server("tokens", &["--tokens", tokens.as_str()]);
    let url = page(&server);
    run(1280, 1000, move |b| async move {
        b.goto(&url).await;
        b.until(
            "the token box is shown",
            "return !document.getElementById('token-form').hidden",
        )
        .await;
        let token = b.id("token").await;
        token
            .send_keys("store-token-0123456789abcdef\n")
            .await
            .unwrap();
        choose_channel(&b, "store").await;
        // Kept for this tab: a reload does not ask again.
        b.client.refresh().await.unwrap();
        b.until(
            "the offers load with the kept token",
            "return document.querySelector('#offers .card') !== null",
        )
        .await;
        assert_eq!(
            b.client
                .execute(
                    "return document.getElementById('token-form').hidden",
                    vec![]
                )
                .await
                .unwrap(),
            json!(true)
        );
        // The store's token cannot decide on the web: the page says so and asks.
        choose_channel(&b, "web").await;
        b.id("decide").await.click().await.unwrap();
        b.wait_for_text(
            "#token-form",
            "This token may not be used on the web channel",
        )
        .await;
    });
}

#[test]
fn a_pasted_json_context_is_sent_exactly_as_written() {
    let server = console_server("pasted", &[]);
    let url = page(&server);
    run(1280, 1000, move |b| async move {
        b.goto(&url).await;
        choose_channel(&b, "store").await;
        b.css("#paste summary").await.click().await.unwrap();
        let pasted = b.id("context-json").await;
        pasted.send_keys("{\"customer\": {").await.unwrap();
        b.id("decide").await.click().await.unwrap();
        b.wait_for_text("#form-error", "the pasted context is not valid JSON")
            .await;
        pasted.clear().await.unwrap();
        pasted
            .send_keys(
                r#"{"customer": {"tenure_months": 11.9999999999999999999}, "codes": ["upgrade-winter26"], "redeemed": []}"#,
            )
            .await
            .unwrap();
        b.id("decide").await.click().await.unwrap();
        wait_for_status(&b, "free_upgrade", "ineligible").await;
        let card = b
            .text_of("#decision-body .card[data-offer='free_upgrade']")
            .await;
        assert!(card.contains("now 11.9999999999999999999"), "{card}");
    });
}

/// Presses Tab once, as a keyboard would, and answers what has the focus then: its id (or
/// its text) and whether the focus ring can be seen.
async fn tab(b: &Browser) -> (String, bool) {
    let keys = KeyActions::new("keyboard".into())
        .then(KeyAction::Down {
            value: Key::Tab.into(),
        })
        .then(KeyAction::Up {
            value: Key::Tab.into(),
        });
    b.client.perform_actions(keys).await.unwrap();
    let focus = b
        .client
        .execute(
            "const e = document.activeElement; const s = getComputedStyle(e); \
             return [e.id || e.textContent.trim(), s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2];",
            vec![],
        )
        .await
        .unwrap();
    (
        focus[0].as_str().unwrap_or_default().to_string(),
        focus[1] == json!(true),
    )
}

#[test]
fn the_keyboard_alone_reaches_every_control_in_order_with_the_focus_visible() {
    let server = console_server("keyboard", &[]);
    let url = page(&server);
    run(1280, 1000, move |b| async move {
        b.goto(&url).await;
        choose_channel(&b, "store").await;
        // Open the page afresh (the channel is remembered), so Tab starts at the top.
        b.goto(&url).await;
        b.until(
            "the form is made",
            "return document.getElementById('f-codes') !== null && document.documentElement.getAttribute('data-ready') === 'yes'",
        )
        .await;
        // The channel chosen before is remembered.
        assert_eq!(
            b.client
                .execute("return document.getElementById('channel').value", vec![])
                .await
                .unwrap(),
            json!("store")
        );
        let mut order = Vec::new();
        for _ in 0..8 {
            let (focused, visible) = tab(&b).await;
            assert!(visible, "the focus on `{focused}` can be seen");
            order.push(focused);
        }
        assert_eq!(
            order,
            [
                "Skip to the customer",
                "channel",
                "code",
                "Find the offer",
                "customer-id",
                "f-codes",
                "f-codes-empty",
                "f-redeemed",
            ]
        );
        // Type a code and press Enter, no mouse: the offer is found.
        assert_eq!(tab(&b).await.0, "f-redeemed-empty");
        b.id("code")
            .await
            .send_keys("upgrade-winter26\n")
            .await
            .unwrap();
        b.wait_for_text("#code-result", "Free phone upgrade for loyal customers")
            .await;
    });
}
