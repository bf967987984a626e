//! A tiny form-filling client: what a browser with JavaScript off does with our pages — read the
//! form, change some fields, press a button, post every successful control.

use scraper::{ElementRef, Html, Selector};

pub struct Page {
    pub status: u16,
    pub url: String,
    pub html: String,
    pub headers: Vec<(String, String)>,
    /// Each `Set-Cookie` header on its own (joined, `headers` cannot tell them apart).
    pub set_cookies: Vec<String>,
}

pub struct Form {
    pub action: String,
    pub fields: Vec<(String, String)>,
    base: String,
}

fn selector(s: &str) -> Selector {
    Selector::parse(s).expect("valid selector")
}

pub fn into_page(url: &str, result: Result<ureq::Response, ureq::Error>) -> Page {
    let resp = match result {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("transport error: {e}"),
    };
    let headers = resp
        .headers_names()
        .into_iter()
        .map(|h| {
            let v = resp.all(&h).join(", ");
            (h, v)
        })
        .collect();
    let set_cookies = resp
        .all("set-cookie")
        .into_iter()
        .map(str::to_owned)
        .collect();
    Page {
        set_cookies,
        status: resp.status(),
        url: url.to_owned(),
        headers,
        html: resp.into_string().expect("utf-8 page"),
    }
}

impl Page {
    pub fn get(url: &str) -> Page {
        into_page(url, ureq::get(url).call())
    }

    pub fn get_with(url: &str, headers: &[(&str, &str)]) -> Page {
        let mut req = ureq::get(url);
        for (k, v) in headers {
            req = req.set(k, v);
        }
        into_page(url, req.call())
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The `Set-Cookie` header of the cookie called `name`, whole (value and attributes).
    pub fn set_cookie(&self, name: &str) -> Option<&str> {
        self.set_cookies
            .iter()
            .find(|c| c.starts_with(&format!("{name}=")))
            .map(String::as_str)
    }

    pub fn h1(&self) -> String {
        self.text("h1")
    }

    /// Text of the first element matching `css`.
    pub fn text(&self, css: &str) -> String {
        Html::parse_document(&self.html)
            .select(&selector(css))
            .next()
            .map(|e| e.text().collect::<String>().trim().to_owned())
            .unwrap_or_default()
    }

    pub fn has(&self, css: &str) -> bool {
        Html::parse_document(&self.html)
            .select(&selector(css))
            .next()
            .is_some()
    }

    /// Attribute `name` of the first element matching `css`.
    pub fn attr(&self, css: &str, name: &str) -> Option<String> {
        Html::parse_document(&self.html)
            .select(&selector(css))
            .next()?
            .value()
            .attr(name)
            .map(str::to_owned)
    }

    /// The form whose action ends with `suffix`.
    pub fn form(&self, suffix: &str) -> Form {
        let doc = Html::parse_document(&self.html);
        let form = doc
            .select(&selector("form"))
            .rfind(|f| f.value().attr("action").unwrap_or("").ends_with(suffix))
            .unwrap_or_else(|| panic!("no form ending {suffix} in:\n{}", self.html));
        // scheme://host:port of the page, for the form's absolute path.
        let after_scheme = self.url.find("://").map_or(0, |i| i + 3);
        let end = self.url[after_scheme..]
            .find('/')
            .map_or(self.url.len(), |i| after_scheme + i);
        let base = self.url[..end].to_owned();
        Form {
            action: form.value().attr("action").unwrap_or("").to_owned(),
            fields: successful_controls(form),
            base,
        }
    }
}

/// The name/value pairs a browser would send, before the pressed button is added.
fn successful_controls(form: ElementRef<'_>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for el in form.select(&selector("input, select, textarea")) {
        let v = el.value();
        let Some(name) = v.attr("name") else { continue };
        match v.name() {
            "input" => {
                let kind = v.attr("type").unwrap_or("text");
                let value = v.attr("value").unwrap_or("").to_owned();
                match kind {
                    "radio" | "checkbox" => {
                        if v.attr("checked").is_some() {
                            out.push((
                                name.to_owned(),
                                if value.is_empty() { "on".into() } else { value },
                            ));
                        }
                    }
                    "submit" | "button" => {}
                    _ => out.push((name.to_owned(), value)),
                }
            }
            "select" => {
                let chosen = el
                    .select(&selector("option[selected]"))
                    .next()
                    .or_else(|| el.select(&selector("option")).next());
                if let Some(o) = chosen {
                    out.push((
                        name.to_owned(),
                        o.value().attr("value").unwrap_or("").to_owned(),
                    ));
                }
            }
            "textarea" => out.push((name.to_owned(), el.text().collect())),
            _ => {}
        }
    }
    out
}

impl Form {
    /// Sets a single-valued control (text, number, radio group, select).
    pub fn set(&mut self, name: &str, value: &str) -> &mut Form {
        self.fields.retain(|(n, _)| n != name);
        self.fields.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Ticks one more checkbox.
    pub fn tick(&mut self, name: &str, value: &str) -> &mut Form {
        self.fields.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn value(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Presses a button: posts every field plus the button's own name and value.
    pub fn press(&self, button: Option<(&str, &str)>, action: Option<&str>) -> Page {
        let mut fields = self.fields.clone();
        if let Some((n, v)) = button {
            fields.push((n.to_owned(), v.to_owned()));
        }
        let url = format!("{}{}", self.base, action.unwrap_or(&self.action));
        let pairs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        into_page(&url, ureq::post(&url).send_form(&pairs))
    }

    /// The compressed size of the page this button would load (the browser asks for gzip).
    pub fn compressed_size(&self, button: Option<(&str, &str)>, action: Option<&str>) -> usize {
        let mut fields = self.fields.clone();
        if let Some((n, v)) = button {
            fields.push((n.to_owned(), v.to_owned()));
        }
        let url = format!("{}{}", self.base, action.unwrap_or(&self.action));
        let pairs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let resp = ureq::post(&url)
            .set("Accept-Encoding", "gzip")
            .send_form(&pairs);
        body_size(resp)
    }

    pub fn go(&self, value: &str) -> Page {
        self.press(Some(("_go", value)), None)
    }

    /// Sends the form as it stands without following a redirect: where the answer leads
    /// (asserting it is a `303`).
    pub fn send_to_redirect(&self) -> String {
        let url = format!("{}{}", self.base, self.action);
        let pairs: Vec<(&str, &str)> = self
            .fields
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let agent = ureq::AgentBuilder::new().redirects(0).build();
        let response = agent.post(&url).send_form(&pairs).expect("an answer");
        assert_eq!(response.status(), 303, "{url}");
        response.header("Location").expect("a Location").to_owned()
    }
}

/// Bytes on the wire of a response (no decompression: the client has no gzip support).
pub fn body_size(result: Result<ureq::Response, ureq::Error>) -> usize {
    let resp = match result {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("transport error: {e}"),
    };
    assert_eq!(
        resp.header("content-encoding"),
        Some("gzip"),
        "the response is compressed"
    );
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut resp.into_reader(), &mut bytes).expect("body");
    bytes.len()
}

pub fn compressed_get(url: &str) -> usize {
    body_size(ureq::get(url).set("Accept-Encoding", "gzip").call())
}
