//! An organiser's browser, without JavaScript: logs in, keeps the session cookie, and sends the
//! CSRF token that each page carries.

use crate::forms::{into_page, Page};
use crate::helpers::TestApp;

pub const PASSWORD: &str = "a long organiser password";

pub struct OrgClient {
    pub base: String,
    pub cookie: Option<String>,
    /// The device cookie (`chorus_device=…`) this browser got at its last login, sent back
    /// with every login as a browser does.
    pub device: Option<String>,
    agent: ureq::Agent,
}

/// `name=value` of a `Set-Cookie` header.
pub fn pair_of(set_cookie: &str) -> String {
    set_cookie.split(';').next().expect("cookie").to_owned()
}

/// Adds an account through the CLI (password on stdin).
pub fn add_account(app: &TestApp, name: &str, role: &str) {
    app.add_account(name, role, PASSWORD);
}

pub fn api_key(app: &TestApp, name: &str) -> String {
    let (ok, stdout, stderr) = app.cli(&["user", "api-key", name]);
    assert!(ok, "{stderr}");
    assert_eq!(stdout.lines().count(), 1, "the key alone on stdout");
    stdout.trim().to_owned()
}

impl OrgClient {
    pub fn anonymous(app: &TestApp) -> OrgClient {
        OrgClient {
            base: app.address.clone(),
            cookie: None,
            device: None,
            agent: ureq::AgentBuilder::new().redirects(0).build(),
        }
    }

    /// Creates the account and logs in.
    pub fn log_in(app: &TestApp, name: &str, role: &str) -> OrgClient {
        add_account(app, name, role);
        OrgClient::log_in_existing(app, name)
    }

    /// Logs in to an account that exists.
    pub fn log_in_existing(app: &TestApp, name: &str) -> OrgClient {
        let mut client = OrgClient::anonymous(app);
        let page = client.post_login(name, PASSWORD);
        assert_eq!(page.status, 303, "login: {}", page.html);
        client.keep_cookies(&page);
        client
    }

    /// Keeps the session and device cookies a login answer set, as a browser does.
    pub fn keep_cookies(&mut self, page: &Page) {
        if let Some(session) = page.set_cookie("chorus_session") {
            self.cookie = Some(pair_of(session));
        }
        if let Some(device) = page.set_cookie("chorus_device") {
            self.device = Some(pair_of(device));
        }
    }

    fn request(&self, method: &str, path: &str) -> ureq::Request {
        let mut req = self
            .agent
            .request(method, &format!("{}{}", self.base, path));
        if let Some(c) = &self.cookie {
            req = req.set("Cookie", c);
        }
        req
    }

    pub fn get(&self, path: &str) -> Page {
        into_page(
            &format!("{}{}", self.base, path),
            self.request("GET", path).call(),
        )
    }

    /// Posts the login form as a browser does: with the token its page carries and the cookie
    /// that page set.
    pub fn post_login(&self, name: &str, password: &str) -> Page {
        let form = self.get("/org/login");
        let token_cookie = form
            .set_cookie("chorus_login")
            .map(pair_of)
            .expect("the login page sets its token cookie");
        // What a browser sends to /org/login: the token cookie and any device cookie.
        let cookie = match &self.device {
            Some(device) => format!("{token_cookie}; {device}"),
            None => token_cookie,
        };
        let doc = scraper::Html::parse_document(&form.html);
        let sel = scraper::Selector::parse("input[name=_csrf]").expect("selector");
        let token = doc
            .select(&sel)
            .next()
            .and_then(|e| e.value().attr("value"))
            .expect("a token in the login form")
            .to_owned();
        let path = "/org/login";
        into_page(
            &format!("{}{}", self.base, path),
            self.agent
                .post(&format!("{}{}", self.base, path))
                .set("Cookie", &cookie)
                .send_form(&[("name", name), ("password", password), ("_csrf", &token)]),
        )
    }

    /// Posts a form as is (no CSRF token added).
    pub fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        into_page(
            &format!("{}{}", self.base, path),
            self.request("POST", path).send_form(fields),
        )
    }

    /// Posts a form with the CSRF token taken from `from` (a page of the workspace).
    pub fn post(&self, from: &str, path: &str, fields: &[(&str, &str)]) -> Page {
        let csrf = self.csrf(from);
        let mut all = fields.to_vec();
        all.push(("_csrf", &csrf));
        self.post_raw(path, &all)
    }

    pub fn csrf(&self, from: &str) -> String {
        let page = self.get(from);
        let doc = scraper::Html::parse_document(&page.html);
        let sel = scraper::Selector::parse("input[name=_csrf]").expect("selector");
        doc.select(&sel)
            .next()
            .and_then(|e| e.value().attr("value"))
            .unwrap_or_else(|| panic!("no CSRF token on {from}: {}", page.html))
            .to_owned()
    }

    /// A multipart upload, as the import form sends it.
    /// Posts a multipart body made by the caller.
    pub fn post_multipart(&self, path: &str, boundary: &str, body: &str) -> Page {
        into_page(
            &format!("{}{}", self.base, path),
            self.request("POST", path)
                .set(
                    "Content-Type",
                    &format!("multipart/form-data; boundary={boundary}"),
                )
                .send_string(body),
        )
    }

    pub fn upload(&self, path: &str, csrf: &str, file_name: &str, content: &str) -> Page {
        let boundary = "----chorus-test-boundary";
        let body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{csrf}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: text/plain\r\n\r\n{content}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"source\"\r\n\r\n\r\n--{boundary}--\r\n"
        );
        self.post_multipart(path, boundary, &body)
    }
}
