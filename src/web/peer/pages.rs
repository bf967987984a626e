//! Rendering the peer pages: the context every page shares (language, interface text, quick
//! exit) and one method per page type.

use super::flow::{self, Answers};
use super::view::{self, Field};
use crate::survey::Question;
use crate::surveys::{SurveyEntry, SurveyState};
use crate::web::error::ApiError;
use crate::web::i18n::{is_rtl, negotiate, Strings};
use crate::web::State;
use actix_web::http::{header, StatusCode};
use actix_web::ResponseError;
use actix_web::{HttpRequest, HttpResponse};
use tera::Context;

/// What the thank-you page shows beyond its text: each shown once, never put in a URL.
pub struct Thanks<'a> {
    pub screened_out: bool,
    pub voucher: Option<&'a str>,
    /// Recruitment coupons with their claim stubs, as displayed.
    pub coupons: &'a [CouponCard],
}

/// A coupon as the thank-you page prints it.
#[derive(serde::Serialize)]
pub struct CouponCard {
    pub code: String,
    pub claim: String,
}

impl CouponCard {
    /// The coupons a submission issued, as printed.
    pub fn all(coupons: &[crate::coupons::Coupon]) -> Vec<CouponCard> {
        coupons
            .iter()
            .map(|c| CouponCard {
                code: c.code.display(),
                claim: c.claim.display(),
            })
            .collect()
    }
}

/// The friendly pages for things that went wrong, each with a way back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Message {
    /// No such survey.
    NotFound,
    /// Nothing at all at this address.
    PageNotFound,
    Closed,
    CodeUnusable,
    TooMany,
    Busy,
    BadForm,
    /// A form's address opened with another method (typed in, or reloaded as a GET).
    WrongMethod,
    /// A kiosk link not made here (mistyped or altered).
    KioskUnknown,
    /// A kiosk link closed by an organiser, or expired.
    KioskGone,
}

impl Message {
    /// The page's texts, and its status from the API's error of the same meaning — one mapping
    /// (`web/error.rs`) for JSON and pages alike.
    fn parts(self) -> (StatusCode, &'static str, &'static str) {
        let (error, title, text) = match self {
            Message::NotFound => (ApiError::NotFound, "not_found_title", "not_found_text"),
            Message::PageNotFound => (
                ApiError::NotFound,
                "page_not_found_title",
                "page_not_found_text",
            ),
            Message::Closed => (ApiError::SurveyClosed, "closed_title", "closed_text"),
            Message::CodeUnusable => (
                ApiError::CodeUnusable,
                "code_unusable_title",
                "code_unusable_text",
            ),
            Message::TooMany => (
                ApiError::RateLimited {
                    retry_after_secs: 60,
                },
                "too_many_title",
                "too_many_text",
            ),
            Message::Busy => (ApiError::Unavailable, "busy_title", "busy_text"),
            Message::BadForm => (
                ApiError::BadRequest(String::new()),
                "bad_form_title",
                "bad_form_text",
            ),
            Message::WrongMethod => (
                ApiError::MethodNotAllowed {
                    allow: String::new(),
                },
                "wrong_method_title",
                "wrong_method_text",
            ),
            Message::KioskUnknown => (
                ApiError::NotFound,
                "kiosk_unknown_title",
                "kiosk_unknown_text",
            ),
            // 410 Gone, like a closed survey: the link worked once and never will again.
            Message::KioskGone => (
                ApiError::SurveyClosed,
                "kiosk_gone_title",
                "kiosk_gone_text",
            ),
        };
        (error.status_code(), title, text)
    }
}

/// A survey being answered: what the flow knows at this step.
pub struct Flow<'a> {
    pub entry: &'a SurveyEntry,
    pub code: &'a str,
    pub answers: &'a Answers,
    /// The page was reached by "Change" on the review step, so it returns there.
    pub from_review: bool,
}

/// Quick exit as a form that posts the code (see `Render::leaving_through_the_server`).
#[derive(serde::Serialize)]
struct ExitForm {
    action: String,
    code: String,
    kiosk: Option<String>,
    /// Where the page goes once the form is sent as a beacon (with JavaScript).
    to: String,
}

pub struct Render<'a> {
    state: &'a State,
    lang: String,
    t: Strings,
    kiosk: Option<Kiosk>,
    /// Staff entering a paper questionnaire: the workspace session's CSRF token, carried by
    /// every form of the compact data-entry view.
    entry: Option<String>,
}

/// A page shown on a shared tablet: Quick exit and every reset lead back to the kiosk's start
/// page, and the forms carry the kiosk's link along.
struct Kiosk {
    token: String,
    /// Seconds without input before the page returns to the start page (`None` on the start
    /// page itself, which holds nothing to clear).
    idle: Option<u32>,
}

impl<'a> Render<'a> {
    /// Pages outside a survey: the language asked for if it has interface texts, else the
    /// browser's preference among those.
    pub fn new(state: &'a State, req: &HttpRequest, lang: Option<&str>) -> Render<'a> {
        let known = peer_languages(state);
        let lang = match lang.filter(|l| known.iter().any(|k| k == l)) {
            Some(l) => l.to_owned(),
            None => {
                let accept = req
                    .headers()
                    .get(header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok());
                negotiate(&state.translations.languages(), None, accept)
            }
        };
        Render {
            t: state.translations.resolve(&lang, &lang, None),
            state,
            lang,
            kiosk: None,
            entry: None,
        }
    }

    /// A survey's pages in `lang`, one of the languages it declares: its own interface texts
    /// first, then the installation's for `lang`, then its default language's, then English.
    pub fn for_survey(state: &'a State, entry: &SurveyEntry, lang: &str) -> Render<'a> {
        let survey = &entry.survey;
        let default = survey.languages().first().map_or("en", |l| l.as_str());
        Render {
            t: state
                .translations
                .resolve(lang, default, survey.interface(lang)),
            state,
            lang: lang.to_owned(),
            kiosk: None,
            entry: None,
        }
    }

    /// The same pages as the compact data-entry view for a paper questionnaire: no
    /// explanations for peers, forms posted to `/org/entry/…` with the session's CSRF token.
    pub fn in_entry(self, csrf: &str) -> Render<'a> {
        Render {
            entry: Some(csrf.to_owned()),
            ..self
        }
    }

    /// The same pages on a kiosk's tablet (`token` already checked), resetting after `idle`.
    pub fn in_kiosk(self, token: &str, idle: Option<u32>) -> Render<'a> {
        Render {
            kiosk: Some(Kiosk {
                token: token.to_owned(),
                idle,
            }),
            ..self
        }
    }

    fn context(&self, title: &str) -> Context {
        let mut c = Context::new();
        c.insert("lang", &self.lang);
        c.insert("dir", if is_rtl(&self.lang) { "rtl" } else { "ltr" });
        c.insert("t", &self.t);
        c.insert("title", title);
        match &self.kiosk {
            Some(k) => {
                // Every way out of a kiosk page leads to its start page; where the page holds a
                // code, `leaving_through_the_server` retires it on the way.
                let start = format!("/k/{}", k.token);
                c.insert("quick_exit", &start);
                c.insert("kiosk_reset", &start);
                c.insert("kiosk_start", &start);
                c.insert("kiosk", &k.token);
                c.insert("kiosk_idle", &k.idle.unwrap_or(0));
                if let Some(seconds) = k.idle.filter(|s| *s > 0) {
                    c.insert("kiosk_limit", &super::kiosk::time_limit(&self.t, seconds));
                }
            }
            None => {
                c.insert("quick_exit", &self.state.site.quick_exit_url);
                c.insert("kiosk", &None::<String>);
                c.insert("kiosk_idle", &0);
            }
        }
        c.insert("entry", &self.entry);
        c
    }

    /// On a page whose form carries a code and answers: Quick exit, and a kiosk's reset, go
    /// through `/s/{survey}/leave`, which retires the code before going on (`leave.rs`). The
    /// page left behind is still in the browser's history with the answers in its form; sent
    /// again by whoever holds the phone or tablet next (Back, then "resend"), it meets a used
    /// code and shows "This code can't be used" — never the answers. Not for staff entering a
    /// paper questionnaire: leaving that page must not spend the paper's code.
    ///
    /// Quick exit is then a form posting the code (after the first request a code travels only
    /// in POST bodies: a link would put it in the address, a proxy's log, and a phone's link
    /// preview, which would retire the card by looking at it). With JavaScript the form is sent
    /// as a beacon and the page replaced, leaving no history entry. The one exception is a
    /// kiosk's reset without JavaScript, a `<meta refresh>`, which can only follow an address:
    /// that address carries the code it retires.
    fn leaving_through_the_server(&self, c: &mut Context, survey: &str, code: &str) {
        if self.entry.is_some() || code.is_empty() {
            return;
        }
        let kiosk = self.kiosk.as_ref().map(|k| k.token.as_str());
        let to = match kiosk {
            Some(token) => format!("/k/{token}"),
            None => self.state.site.quick_exit_url.clone(),
        };
        c.insert(
            "exit_form",
            &ExitForm {
                action: format!("/s/{survey}/leave"),
                code: code.to_owned(),
                kiosk: kiosk.map(str::to_owned),
                to,
            },
        );
        if let Some(token) = kiosk {
            let query = [("code", code), ("kiosk", token)];
            let url = format!(
                "/s/{survey}/leave?{}",
                serde_urlencoded::to_string(query).unwrap_or_default()
            );
            c.insert("kiosk_reset", &url);
        }
    }

    fn text(&self, key: &str) -> String {
        self.t.get(key).cloned().unwrap_or_default()
    }

    fn html(&self, status: StatusCode, template: &str, context: &Context) -> HttpResponse {
        match self.state.templates.render(template, context) {
            Ok(html) => HttpResponse::build(status)
                .content_type("text/html; charset=utf-8")
                .body(html),
            Err(e) => {
                tracing::error!(template, error = %e, "template failed");
                HttpResponse::InternalServerError()
                    .content_type("text/plain; charset=utf-8")
                    .body("Something went wrong on our side. Nothing was saved.")
            }
        }
    }

    pub fn home(&self) -> HttpResponse {
        self.home_with(StatusCode::OK, None, "")
    }

    /// The code-entry page again after a code that can't be used, with what was typed still in
    /// the field, so that one wrong letter is fixed rather than sixteen typed again. The words
    /// are the same for a used, an unknown and a mistyped code.
    pub fn home_refused(&self, typed: &str) -> HttpResponse {
        let error = self.text("code_unusable_text");
        self.home_with(StatusCode::CONFLICT, Some(&error), typed)
    }

    fn home_with(&self, status: StatusCode, error: Option<&str>, typed: &str) -> HttpResponse {
        let mut c = self.context(&self.text("home_title"));
        c.insert("error", &error);
        c.insert("typed", typed);
        c.insert(
            "languages",
            &self.language_choices(&peer_languages(self.state)),
        );
        self.html(status, "home.html", &c)
    }

    /// (code, name in its own words) for each language, for the language buttons.
    fn language_choices(&self, codes: &[String]) -> Vec<(String, String)> {
        codes
            .iter()
            .map(|l| (l.clone(), self.state.translations.name_of(l)))
            .collect()
    }

    fn survey_languages(&self, survey: &crate::survey::Survey) -> Vec<(String, String)> {
        let offered: Vec<String> = survey.languages().iter().map(|l| l.to_string()).collect();
        self.language_choices(&offered)
    }

    pub fn message(&self, message: Message) -> HttpResponse {
        let (status, title, text) = message.parts();
        let mut c = self.context(&self.text(title));
        c.insert("text", &self.text(text));
        c.insert("is_code", &(message == Message::CodeUnusable));
        let mut response = self.html(status, "message.html", &c);
        if message == Message::TooMany {
            // The same wait the page asks for, for tools that read it.
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("60"));
        }
        response
    }

    pub fn landing(&self, entry: &SurveyEntry, code: Option<&str>) -> HttpResponse {
        self.landing_with(entry, code, None)
    }

    /// The landing page again, after a code typed there could not be used: said before any
    /// question is answered, with the same words for used, unknown and mistyped codes.
    pub fn landing_refused(&self, entry: &SurveyEntry) -> HttpResponse {
        let mut response = self.landing_with(entry, None, Some("code_unusable_text"));
        *response.status_mut() = StatusCode::CONFLICT;
        response
    }

    fn landing_with(
        &self,
        entry: &SurveyEntry,
        code: Option<&str>,
        error: Option<&str>,
    ) -> HttpResponse {
        let survey = &entry.survey;
        let mut c = self.context(survey.title().get(&self.lang));
        c.insert("error", &error.map(|key| self.text(key)));
        // An open survey made this code just now: there is no card to keep.
        c.insert(
            "keep_code",
            &self.text(if survey.mode() == crate::survey::Mode::Open {
                "keep_code_open"
            } else {
                "keep_code"
            }),
        );
        c.insert(
            "can_skip",
            &survey
                .questions()
                .any(|q| !q.is_note() && !q.required && q.end_if.is_none()),
        );
        c.insert("survey_id", survey.id().as_str());
        c.insert(
            "description",
            &survey.description().map(|d| d.get(&self.lang)),
        );
        c.insert("code", &code);
        c.insert("languages", &self.survey_languages(survey));
        // A card's link brought the code: leaving retires it, or the address left in the
        // history would hand a working card to whoever holds the phone next.
        if let Some(code) = code {
            self.leaving_through_the_server(&mut c, survey.id().as_str(), code);
        }
        self.html(StatusCode::OK, "landing.html", &c)
    }

    /// A kiosk's start page: the survey's title and one large "Start" for the next person.
    pub fn kiosk_start(&self, entry: &SurveyEntry) -> HttpResponse {
        let survey = &entry.survey;
        let mut c = self.context(survey.title().get(&self.lang));
        c.insert(
            "description",
            &survey.description().map(|d| d.get(&self.lang)),
        );
        c.insert("languages", &self.survey_languages(survey));
        self.html(StatusCode::OK, "kiosk.html", &c)
    }

    /// One page of questions; `show_problems` after a "Next" that found some.
    pub fn page(&self, flow: &Flow<'_>, index: usize, show_problems: bool) -> HttpResponse {
        let survey = &flow.entry.survey;
        let Some(page) = survey.pages().get(index) else {
            return self.review(flow);
        };
        let problems = if show_problems {
            flow.answers.problems_on_page(survey, index)
        } else {
            Vec::new()
        };
        // A question that depends on an answer above it on this page is always on the page,
        // with a hint (and shown or hidden live by the page script): the page cannot know the
        // answer before it is sent. Its answer is dropped when the condition does not hold.
        let page_shown = survey.page_visible(index, &flow.answers.response);
        let items: Vec<(&Question, view::QuestionView)> = page
            .questions
            .iter()
            // Data entry copies a paper form: the notes written for peers are left out.
            .filter(|q| self.entry.is_none() || !q.is_note())
            .filter(|q| {
                // Computed, batch-filled and implied answers are never asked.
                let asked = q.compute.is_none()
                    && survey.implied_answer(q, &flow.answers.response).is_none();
                asked
                    && (survey.question_visible(q, &flow.answers.response)
                        || (page_shown
                            && survey.on_same_page(q).is_some()
                            && survey.may_show_on_page(q, &flow.answers.response)))
            })
            .map(|q| {
                let problem = problems.iter().find(|(id, _)| *id == q.id).map(|(_, p)| *p);
                let mut v = view::question(
                    (survey, &flow.answers.response),
                    q,
                    &self.lang,
                    &self.t,
                    &flow.answers.carried,
                    problem,
                );
                view::reveal(&mut v, survey, q, &self.lang, &self.t);
                if self.entry.is_some() {
                    v.help = None;
                }
                (q, v)
            })
            .collect();
        let questions: Vec<&view::QuestionView> = items.iter().map(|(_, v)| v).collect();
        // Everything not answered by a control on this page travels as a hidden field, including
        // answers to questions a changed answer hides, so that changing it back restores them.
        let shown_here = |name: &str| {
            let qid = flow::question_of(name);
            questions.iter().any(|q| q.id == qid)
        };
        let hidden: Vec<Field> = flow
            .answers
            .carried
            .iter()
            .filter(|(name, _)| !shown_here(name))
            .map(|(name, value)| Field {
                name: name.clone(),
                value: value.clone(),
            })
            .collect();
        let visible = flow::visible_pages(survey, &flow.answers.response);
        let position = visible.iter().filter(|p| **p < index).count() + 1;
        let remaining = flow::pages_after(survey, index, &flow.answers.response);
        let total = position + remaining;
        let last = remaining == 0;
        let errors: Vec<(String, String)> = questions
            .iter()
            .filter_map(|q| {
                q.error
                    .clone()
                    .map(|e| (q.first_field(), format!("{} — {e}", q.text)))
            })
            .collect();
        let questions = view::gather_cells(survey, items, &self.lang);

        let mut c = self.context(page.title.get(&self.lang));
        c.insert("survey_id", survey.id().as_str());
        c.insert("survey_title", survey.title().get(&self.lang));
        c.insert("page_index", &index);
        c.insert("code", flow.code);
        self.leaving_through_the_server(&mut c, survey.id().as_str(), flow.code);
        c.insert("questions", &questions);
        c.insert("hidden", &hidden);
        c.insert("errors", &errors);
        c.insert("position", &position);
        c.insert("total", &total);
        c.insert(
            "progress",
            &self
                .text("page_of")
                .replace("{n}", &position.to_string())
                .replace("{total}", &total.to_string()),
        );
        c.insert("last", &last);
        c.insert("from_review", &flow.from_review);
        c.insert("languages", &self.survey_languages(survey));
        let status = if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        self.html(status, "page.html", &c)
    }

    /// Every answer, with a way back to each page; "send" posts everything once more. Any
    /// problem left (say, a required question on a page reached by "Change") sends the person
    /// to that page instead.
    pub fn review(&self, flow: &Flow<'_>) -> HttpResponse {
        let survey = &flow.entry.survey;
        let visible = flow::visible_pages(survey, &flow.answers.response);
        if let Some(&p) = visible
            .iter()
            .find(|&&p| !flow.answers.problems_on_page(survey, p).is_empty())
        {
            // Once the problem is fixed, straight back here.
            let back_here = Flow {
                from_review: true,
                ..*flow
            };
            return self.page(&back_here, p, true);
        }
        let pages = view::review(
            survey,
            &visible,
            &flow.answers.response,
            &self.lang,
            &self.t,
        );
        let hidden: Vec<Field> = flow
            .answers
            .carried
            .iter()
            .map(|(name, value)| Field {
                name: name.clone(),
                value: value.clone(),
            })
            .collect();
        let ended = survey.ended_after(&flow.answers.response);
        let screened_out = ended.is_some() && !survey.records_screened_out();
        let mut c = self.context(&self.text("review_title"));
        c.insert("screened_out", &screened_out);
        c.insert(
            "set_aside",
            &(flow.answers.some_set_aside() && !screened_out),
        );
        c.insert("survey_id", survey.id().as_str());
        c.insert("survey_title", survey.title().get(&self.lang));
        c.insert("code", flow.code);
        self.leaving_through_the_server(&mut c, survey.id().as_str(), flow.code);
        c.insert("pages", &pages);
        c.insert("hidden", &hidden);
        c.insert("languages", &self.survey_languages(survey));
        self.html(StatusCode::OK, "review.html", &c)
    }

    /// After a durable save (or, for a person the survey screened out, after spending the code
    /// and storing nothing). Asks the browser to drop its cache of this site (shared phones).
    /// A voucher is shown large, with what it pays for, on this page only: it is never in a URL.
    /// So are recruitment coupons, as printable cards with their claim stubs.
    pub fn thanks(&self, entry: &SurveyEntry, done: &Thanks<'_>) -> HttpResponse {
        let mut c = self.context(&self.text("thanks_title"));
        c.insert("screened_out", &done.screened_out);
        if let Some(voucher) = done.voucher {
            c.insert("voucher", voucher);
            c.insert(
                "incentive",
                &entry.survey.incentive().map(|t| t.get(&self.lang)),
            );
        }
        self.insert_coupons(&mut c, entry, done.coupons);
        let mut response = self.html(StatusCode::OK, "thanks.html", &c);
        response.headers_mut().insert(
            header::HeaderName::from_static("clear-site-data"),
            header::HeaderValue::from_static("\"cache\""),
        );
        response
    }

    /// The first step of entering a paper questionnaire: its card code.
    pub fn entry_form(&self, error: Option<&str>, status: StatusCode) -> HttpResponse {
        let mut c = self.context(&self.text("entry_title"));
        c.insert("error", &error.map(|key| self.text(key)));
        self.html(status, "entry.html", &c)
    }

    /// Recruitment coupons as printable cards with their claim stubs (`coupons.html`), shown
    /// once: on the thank-you page, and after a paper questionnaire is entered.
    fn insert_coupons(&self, c: &mut Context, entry: &SurveyEntry, coupons: &[CouponCard]) {
        if coupons.is_empty() {
            return;
        }
        let id = entry.survey.id().as_str();
        c.insert("coupons", coupons);
        c.insert("survey_title", entry.survey.title().get(&self.lang));
        c.insert(
            "coupon_reward",
            &entry.survey.coupon_reward().map(|t| t.get(&self.lang)),
        );
        c.insert(
            "address",
            &crate::web::organiser::short_address(self.state, id),
        );
    }

    /// A paper questionnaire was stored: say so, with its voucher if the survey pays one and
    /// its recruitment coupons if it has them (to hand to the person, or to post), and offer
    /// the next. Without the coupons a paper respondent would end every chain.
    pub fn entry_saved(&self, entry: &SurveyEntry, done: &Thanks<'_>) -> HttpResponse {
        let mut c = self.context(&self.text("entry_saved_title"));
        c.insert("screened_out", &done.screened_out);
        c.insert("voucher", &done.voucher);
        self.insert_coupons(&mut c, entry, done.coupons);
        self.html(StatusCode::OK, "entry_saved.html", &c)
    }

    /// The privacy notice, generated from the running settings.
    pub fn privacy(&self) -> HttpResponse {
        let mut c = self.context(&self.text("privacy_title"));
        let open: Vec<_> = self
            .state
            .chorus
            .surveys
            .list(&self.state.chorus.store)
            .into_iter()
            .filter(|s| s.state == SurveyState::Open)
            .filter_map(|s| self.state.chorus.surveys.get(&s.id))
            .collect();
        let surveys: Vec<(String, String, String)> = open
            .iter()
            .map(|entry| {
                (
                    entry.survey.title().get(&self.lang).to_owned(),
                    entry.survey.threshold().to_string(),
                    entry.survey.min_responses().to_string(),
                )
            })
            .collect();
        // Organisers read words typed into a free-text question, and may quote them: said
        // wherever a survey open now asks for any.
        let free_text = open.iter().any(|entry| {
            entry
                .survey
                .questions()
                .any(|q| matches!(q.kind, crate::survey::QuestionKind::Text { .. }))
        });
        c.insert("surveys", &surveys);
        c.insert("free_text", &free_text);
        c.insert("sealed", &self.state.site.sealed_mode);
        c.insert(
            "languages",
            &self.language_choices(&peer_languages(self.state)),
        );
        self.html(StatusCode::OK, "privacy.html", &c)
    }
}

/// The languages offered outside a survey (the code-entry page, the privacy notice, messages):
/// every interface language, and every language an open survey declares.
fn peer_languages(state: &State) -> Vec<String> {
    let mut langs = state.translations.languages();
    for summary in state.chorus.surveys.list(&state.chorus.store) {
        if summary.state != SurveyState::Open {
            continue;
        }
        if let Some(entry) = state.chorus.surveys.get(&summary.id) {
            for l in entry.survey.languages() {
                if !langs.iter().any(|k| k == l.as_str()) {
                    langs.push(l.to_string());
                }
            }
        }
    }
    langs
}
