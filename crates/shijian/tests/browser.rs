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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_officer_signs_in_and_reaches_the_home_page() {
    let Some(driver_path) = chromedriver() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let server = serve(&dir.path().join("data"), &["--demo"], &[]);
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
    let client = reqwest::Client::new();
    let status = format!("{}/status", driver.base);
    assert!(
        wait_until(30, || std::net::TcpStream::connect(("127.0.0.1", port))
            .is_ok()),
        "chromedriver did not start"
    );
    let _ = client.get(&status).send().await;

    let profile = dir.path().join("chrome-profile");
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
    let s = Session {
        client: &client,
        url: format!("{}/session/{sid}", driver.base),
    };

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
