//! The UI in a real headless Chromium (Debian's `chromium` and `chromium-driver`, driven
//! over WebDriver): a demo officer signs in and reaches the home page in Chinese.

mod common;

use base64::Engine;
use common::{serve, wait_until};
use serde_json::{json, Value};
use std::process::{Child, Command, Stdio};

struct Driver {
    child: Child,
    base: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn chromedriver() -> Option<String> {
    let path = std::env::var("SHIJIAN_CHROMEDRIVER")
        .ok()
        .filter(|p| !p.is_empty())
        .or_else(|| {
            std::path::Path::new("/usr/bin/chromedriver")
                .exists()
                .then(|| "/usr/bin/chromedriver".to_owned())
        });
    if path.is_none() {
        assert!(
            std::env::var("SHIJIAN_TEST_STRICT").map_or(true, |v| v != "1"),
            "chromedriver is required (install chromium-driver or run scripts/test.sh)"
        );
        eprintln!("SKIPPED: chromedriver not found (run scripts/test.sh)");
    }
    path
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Session<'a> {
    client: &'a reqwest::Client,
    url: String,
}

impl Session<'_> {
    async fn cmd(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut r = self.client.request(method, format!("{}{path}", self.url));
        if let Some(b) = body {
            r = r.json(&b);
        }
        let v: Value = r.send().await.unwrap().json().await.unwrap();
        v["value"].clone()
    }
    async fn find(&self, css: &str) -> String {
        let v = self
            .cmd(
                reqwest::Method::POST,
                "/element",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await;
        v.as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no element {css}: {v}"))
            .to_owned()
    }
    async fn type_into(&self, css: &str, text: &str) {
        let id = self.find(css).await;
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{id}/value"),
            Some(json!({"text": text})),
        )
        .await;
    }
    async fn click(&self, css: &str) {
        let id = self.find(css).await;
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{id}/click"),
            Some(json!({})),
        )
        .await;
    }
    async fn source(&self) -> String {
        self.cmd(reqwest::Method::GET, "/source", None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

/// Starts chromedriver and a headless Chromium session on it (profile under `dir`).
async fn open_browser<'c>(
    client: &'c reqwest::Client,
    driver_path: &str,
    dir: &std::path::Path,
) -> (Driver, Session<'c>) {
    let port = free_port();
    let driver = Driver {
        child: Command::new(driver_path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
        base: format!("http://127.0.0.1:{port}"),
    };
    assert!(
        wait_until(30, || std::net::TcpStream::connect(("127.0.0.1", port))
            .is_ok()),
        "chromedriver did not start"
    );
    let _ = client.get(format!("{}/status", driver.base)).send().await;
    let profile = dir.join("chrome-profile");
    let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
        "binary": std::env::var("SHIJIAN_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
        "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--window-size=1280,900", format!("--user-data-dir={}", profile.display())]
    }}}});
    let created: Value = client
        .post(format!("{}/session", driver.base))
        .json(&caps)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let sid = created["value"]["sessionId"]
        .as_str()
        .unwrap_or_else(|| panic!("no session: {created}"))
        .to_owned();
    let session = Session {
        client,
        url: format!("{}/session/{sid}", driver.base),
    };
    (driver, session)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_officer_signs_in_and_reaches_the_home_page() {
    let Some(driver_path) = chromedriver() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let server = serve(&dir.path().join("data"), &["--demo"], &[]);
    let client = reqwest::Client::new();
    let (driver, s) = open_browser(&client, &driver_path, dir.path()).await;

    s.cmd(
        reqwest::Method::POST,
        "/url",
        Some(json!({"url": format!("{}/", server.base)})),
    )
    .await;
    // Not signed in: the home page sends us to the login page.
    assert!(s.source().await.contains("登录"));
    s.type_into("input[name=username]", "zhongxiang.officer")
        .await;
    s.type_into("input[name=password]", shijian::demo::DEMO_PASSWORD)
        .await;
    s.click("button[type=submit]").await;
    let mut html = String::new();
    for _ in 0..50 {
        html = s.source().await;
        if html.contains("工作台") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(html.contains("工作台"), "{html}");
    assert!(
        html.contains("钟祥市执法人员（演示）"),
        "the user menu names the officer"
    );
    assert!(html.contains("建设中"), "unbuilt modules say so");
    assert!(html.contains("参考数据"), "the reference pages are linked");
    let title = s.cmd(reqwest::Method::GET, "/title", None).await;
    assert_eq!(title, "首页 · 荆门市场监管一张网");
    // Keep a screenshot for people to look at.
    let png = s.cmd(reqwest::Method::GET, "/screenshot", None).await;
    if let Some(b64) = png.as_str() {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        let out = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser-home.png");
        std::fs::write(&out, bytes).unwrap();
        eprintln!("screenshot: {}", out.display());
    }
    // Sign out through the user menu.
    s.click("form[action='/logout'] button").await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(s.source().await.contains("连续 5 次输错密码"));
    s.cmd(reqwest::Method::DELETE, "", None).await;
    drop(driver);
    drop(server);
}

/// A credit code with its check character.
fn uscc_with_check(first17: &str) -> String {
    format!(
        "{first17}{}",
        shijian_domain::uscc::uscc_check_char(first17).unwrap()
    )
}

/// Polls the page source until it contains `needle` (up to 10 s); returns the last source.
async fn wait_for_text(s: &Session<'_>, needle: &str) -> String {
    let mut html = String::new();
    for _ in 0..100 {
        html = s.source().await;
        if html.contains(needle) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    html
}

/// Keeps a screenshot of the current page for people to look at.
async fn screenshot(s: &Session<'_>, name: &str) {
    let png = s.cmd(reqwest::Method::GET, "/screenshot", None).await;
    if let Some(b64) = png.as_str() {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        let out = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
        std::fs::write(&out, bytes).unwrap();
        eprintln!("screenshot: {}", out.display());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn officer_searches_opens_and_amends_an_entity() {
    let Some(driver_path) = chromedriver() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let server = serve(&dir.path().join("data"), &["--demo"], &[]);
    let client = reqwest::Client::new();

    // Two 餐饮 entities in 东宝区 and one other, registered through the API by an officer.
    let login: Value = client
        .post(format!("{}/api/v1/auth/login", server.base))
        .json(&json!({"username": "dongbao.officer", "password": shijian::demo::DEMO_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["token"]
        .as_str()
        .unwrap_or_else(|| panic!("no token: {login}"))
        .to_owned();
    let company = uscc_with_check("91420802MA49K0001");
    let shop = uscc_with_check("92420802MA49K0002");
    let other = uscc_with_check("91420802MA49K0003");
    for (code, items) in [
        (
            &company,
            json!({"name": "荆门市好味道餐饮有限公司", "entity_type": "有限责任公司（自然人独资）",
                   "legal_rep": "张三", "division_code": "420802001", "domicile": "东宝区龙泉街道象山大道 1 号",
                   "industry_code": "6210", "registered_capital": "100", "established_on": "2020-05-06",
                   "contribution_deadline": "2049-12-31", "business_scope": "餐饮服务"}),
        ),
        (
            &shop,
            json!({"name": "东宝区老街坊餐饮店", "entity_type": "个体工商户", "legal_rep": "李四",
                   "division_code": "420802002", "domicile": "东宝区泉口街道中天街 8 号", "industry_code": "6210"}),
        ),
        (
            &other,
            json!({"name": "荆门市石化机械有限公司", "entity_type": "有限责任公司（自然人投资或控股）",
                   "legal_rep": "王五", "division_code": "420802001", "domicile": "东宝区长宁大道 9 号",
                   "industry_code": "3511"}),
        ),
    ] {
        let r = client
            .post(format!("{}/api/v1/entities", server.base))
            .bearer_auth(&token)
            .json(&json!({"uscc": code, "items": items}))
            .send()
            .await
            .unwrap();
        let status = r.status();
        assert_eq!(status, 201, "{}", r.text().await.unwrap());
    }

    let (driver, s) = open_browser(&client, &driver_path, dir.path()).await;
    let go = |path: String| {
        let s = &s;
        async move {
            s.cmd(reqwest::Method::POST, "/url", Some(json!({"url": path})))
                .await;
        }
    };

    // Sign in; the home page's registry tile and the user menu lead to the registry.
    go(format!("{}/login", server.base)).await;
    s.type_into("input[name=username]", "dongbao.officer").await;
    s.type_into("input[name=password]", shijian::demo::DEMO_PASSWORD)
        .await;
    s.click("button[type=submit]").await;
    let html = wait_for_text(&s, "工作台").await;
    assert!(
        html.contains("<a href=\"/entities\">市场主体登记</a>"),
        "{html}"
    );
    s.click(".user-menu a[href='/entities']").await;
    let html = wait_for_text(&s, "共 3 个").await;
    assert!(
        html.contains("共 3 个"),
        "the list shows every entity: {html}"
    );

    // Typing 餐饮 narrows the results in place (htmx), and the address follows the search.
    s.type_into("input[name=q]", "餐饮").await;
    let html = wait_for_text(&s, "共 2 个").await;
    assert!(html.contains("共 2 个"), "{html}");
    assert!(html.contains("荆门市好味道餐饮有限公司"), "{html}");
    assert!(html.contains("东宝区老街坊餐饮店"), "{html}");
    assert!(!html.contains("荆门市石化机械有限公司"), "{html}");
    screenshot(&s, "browser-entities.png").await;
    let url = s.cmd(reqwest::Method::GET, "/url", None).await;
    assert!(
        url.as_str()
            .unwrap_or_default()
            .contains("q=%E9%A4%90%E9%A5%AE"),
        "the search is in the address: {url}"
    );

    // Open the company: its items, the contribution-deadline flag, one version.
    s.click(&format!("#entity-results a[href='/entities/{company}']"))
        .await;
    let html = wait_for_text(&s, "登记记录").await;
    assert!(html.contains("有限责任公司（自然人独资）"), "{html}");
    assert!(html.contains("100万元"), "capital in 万元: {html}");
    assert!(
        html.contains("2027-06-30"),
        "the capital deadline flag: {html}"
    );
    assert!(html.contains("设立登记"), "{html}");

    // 变更登记: the form is prefilled; change the name and submit.
    s.click(&format!("a[href='/entities/{company}/amend']"))
        .await;
    let html = wait_for_text(&s, "提交变更").await;
    assert!(html.contains("留空表示不变"), "{html}");
    screenshot(&s, "browser-entity-amend.png").await;
    let name_field = s.find("#entity-form input[name=name]").await;
    s.cmd(
        reqwest::Method::POST,
        &format!("/element/{name_field}/clear"),
        Some(json!({})),
    )
    .await;
    s.type_into("#entity-form input[name=name]", "荆门市好味道食品有限公司")
        .await;
    s.click("#entity-form button[type=submit]").await;
    let html = wait_for_text(&s, "变更登记已完成").await;
    assert!(html.contains("变更登记已完成"), "{html}");
    assert!(
        html.contains("<h1>荆门市好味道食品有限公司"),
        "the detail page shows the new name: {html}"
    );
    let rows = s
        .cmd(
            reqwest::Method::POST,
            "/elements",
            Some(json!({"using": "css selector", "value": "#versions tbody tr"})),
        )
        .await;
    assert_eq!(
        rows.as_array().map(Vec::len),
        Some(2),
        "two versions: {html}"
    );
    assert!(html.contains("变更登记"), "{html}");
    assert!(html.contains("名称"), "the change names the item: {html}");
    screenshot(&s, "browser-entity.png").await;

    // The new name is found; the old one is gone.
    go(format!("{}/entities", server.base)).await;
    wait_for_text(&s, "共 3 个").await;
    s.type_into("input[name=q]", "好味道食品").await;
    let html = wait_for_text(&s, "共 1 个").await;
    assert!(html.contains("共 1 个"), "{html}");
    assert!(
        html.contains(&format!(
            "href=\"/entities/{company}\">荆门市好味道食品有限公司</a>"
        )),
        "{html}"
    );
    // Without JavaScript the same search is a plain GET.
    go(format!(
        "{}/entities?q=%E5%A5%BD%E5%91%B3%E9%81%93%E9%A4%90%E9%A5%AE",
        server.base
    ))
    .await;
    let html = wait_for_text(&s, "共 ").await;
    assert!(html.contains("共 0 个"), "the old name is gone: {html}");

    s.cmd(reqwest::Method::DELETE, "", None).await;
    drop(driver);
    drop(server);
}
