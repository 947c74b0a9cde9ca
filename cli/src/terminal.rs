//! The interactive interview in a terminal. On a TTY, keys act at once (arrows, numbers, letters);
//! when input is piped, each line is one action, which is how tests and scripts drive it.
//!
//! Keys: ↑/↓ and Enter, or a number, to choose (space or numbers toggle in multiple choice);
//! b or ← back, d don't know, p prefers not to say, s skip, n next (keep the answer), r review,
//! f finish, q quit (the draft is saved when `--draft` was given), `:lang en` to switch language.
//! For typed answers (number, date, text) the line is the answer; commands then start with ':'.

use std::collections::BTreeSet;
use std::io::{self, BufRead, Write};

use crossterm::event::{self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use crossterm::{cursor, execute, terminal};
use relais_core::answer::Answer;
use relais_core::forms::AnswerType;
use relais_core::i18n::t;
use relais_core::session::{QuestionView, Screen, ScreenKind, Session};
use relais_core::{FormResult, Lang, SessionError};

use crate::render;

/// How an interactive session ended.
pub enum Ended {
    Finished(Box<FormResult>),
    Quit,
    /// Input ran out (or Ctrl-C) before the session finished.
    Interrupted,
}

/// One user action.
#[derive(Debug, Clone, PartialEq)]
enum Action {
    /// 0-based indices into options followed by special options.
    Choose(Vec<usize>),
    Typed(String),
    Back,
    DontKnow,
    PreferNot,
    Skip,
    Next,
    Review,
    Finish,
    Quit,
    Language(String),
    Nothing,
    Unknown,
}

fn is_choice(q: Option<&QuestionView>) -> bool {
    q.is_some_and(|q| {
        matches!(
            q.answer_type,
            AnswerType::YesNo | AnswerType::Single | AnswerType::Multi
        )
    })
}

fn command(word: &str) -> Option<Action> {
    let word = word.trim().to_lowercase();
    if let Some(code) = word.strip_prefix("lang ") {
        return Some(Action::Language(code.trim().to_string()));
    }
    Some(match word.as_str() {
        "b" | "back" => Action::Back,
        "d" | "dk" => Action::DontKnow,
        "p" => Action::PreferNot,
        "s" | "skip" => Action::Skip,
        "n" | "next" => Action::Next,
        "r" | "review" => Action::Review,
        "f" | "finish" => Action::Finish,
        "q" | "quit" => Action::Quit,
        _ => return None,
    })
}

/// Reads one line of input as an action for the current screen.
fn parse_line(line: &str, screen: &Screen) -> Action {
    let line = line.trim();
    if line.is_empty() {
        return Action::Nothing;
    }
    if let Some(cmd) = line.strip_prefix(':') {
        return command(cmd).unwrap_or(Action::Unknown);
    }
    let question = screen.question.as_ref();
    if screen.kind == ScreenKind::Review || is_choice(question) {
        if let Some(action) = command(line) {
            return action;
        }
        let Some(q) = question else {
            return Action::Unknown;
        };
        let all = option_ids(q);
        let mut picked = Vec::new();
        for token in line.split([',', ' ']).filter(|s| !s.is_empty()) {
            let index = match token.parse::<usize>() {
                Ok(n) if (1..=all.len()).contains(&n) => n - 1,
                _ => match all.iter().position(|id| id.eq_ignore_ascii_case(token)) {
                    Some(i) => i,
                    None => return Action::Unknown,
                },
            };
            picked.push(index);
        }
        return Action::Choose(picked);
    }
    Action::Typed(line.to_string())
}

/// Every option id of a question as numbered on screen: its options, then the special options.
fn option_ids(q: &QuestionView) -> Vec<&str> {
    q.options
        .iter()
        .chain(&q.special_options)
        .map(|o| o.id.as_str())
        .collect()
}

/// The option ids of chosen indices.
fn ids_for(q: &QuestionView, picked: &[usize]) -> Vec<String> {
    let all = option_ids(q);
    picked
        .iter()
        .filter_map(|&i| all.get(i))
        .map(|id| (*id).to_string())
        .collect()
}

/// Applies an action; returns the end of the session if it ended.
fn apply(session: &mut Session, action: Action, notice: &mut Option<String>) -> Option<Ended> {
    let lang = session.language();
    let screen = session.screen();
    match action {
        Action::Choose(picked) => match screen.question.as_ref() {
            Some(q) => {
                session.choose(&ids_for(q, &picked));
            }
            None => *notice = Some(t(lang, "cli.unknown_input")),
        },
        Action::Typed(text) => {
            session.answer_text(&text);
        }
        Action::Back => {
            session.back();
        }
        Action::DontKnow => {
            session.answer(Answer::DontKnow);
        }
        Action::PreferNot => {
            session.answer(Answer::PreferNotToSay);
        }
        Action::Skip => {
            session.skip();
        }
        Action::Next => {
            session.next();
        }
        Action::Review => {
            session.review();
        }
        Action::Finish => match session.finish() {
            Ok(result) => return Some(Ended::Finished(Box::new(result))),
            Err(SessionError::Incomplete(_)) => *notice = Some(t(lang, "review.missing")),
            Err(e) => *notice = Some(e.to_string()),
        },
        Action::Quit => return Some(Ended::Quit),
        Action::Language(code) => match code.parse::<Lang>() {
            Ok(l) => {
                if let Err(e) = session.set_language(l) {
                    *notice = Some(e.to_string());
                }
            }
            Err(e) => *notice = Some(e.to_string()),
        },
        Action::Nothing => {}
        Action::Unknown => *notice = Some(t(lang, "cli.unknown_input")),
    }
    None
}

fn keys_line(screen: &Screen) -> String {
    let lang = screen.language;
    if screen.kind == ScreenKind::Review {
        t(lang, "cli.keys.review")
    } else if is_choice(screen.question.as_ref()) {
        t(lang, "cli.keys.choice")
    } else {
        t(lang, "cli.keys.typed")
    }
}

/// Line mode: one action per line of `input`, screens written to `out`.
pub fn drive_lines(
    session: &mut Session,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
) -> io::Result<Ended> {
    let mut notice = None;
    loop {
        let screen = session.screen();
        writeln!(out, "\n{}", render::screen(&screen, None))?;
        if let Some(n) = notice.take() {
            writeln!(out, "  ⚠ {n}")?;
        }
        write!(out, "{}\n> ", keys_line(&screen))?;
        out.flush()?;
        let mut line = String::new();
        if input.read_line(&mut line)? == 0 {
            return Ok(Ended::Interrupted);
        }
        let action = parse_line(&line, &screen);
        if let Some(ended) = apply(session, action, &mut notice) {
            return Ok(ended);
        }
    }
}

/// Restores the terminal however the raw-mode loop ends.
struct RawMode;

impl RawMode {
    fn enter() -> io::Result<RawMode> {
        terminal::enable_raw_mode()?;
        Ok(RawMode)
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        let _ = terminal::disable_raw_mode();
    }
}

fn draw(
    screen: &Screen,
    highlight: usize,
    pending: &BTreeSet<usize>,
    notice: Option<&str>,
) -> io::Result<()> {
    let mut shown = screen.clone();
    if let Some(q) = shown.question.as_mut()
        && q.answer_type == AnswerType::Multi
        && !pending.is_empty()
    {
        for (i, o) in q
            .options
            .iter_mut()
            .chain(q.special_options.iter_mut())
            .enumerate()
        {
            o.selected = pending.contains(&i);
        }
    }
    let mut out = io::stdout();
    execute!(
        out,
        terminal::Clear(terminal::ClearType::All),
        cursor::MoveTo(0, 0)
    )?;
    let text = render::screen(
        &shown,
        is_choice(shown.question.as_ref()).then_some(highlight),
    );
    // Raw mode needs explicit carriage returns.
    for line in text.lines() {
        write!(out, "{line}\r\n")?;
    }
    if let Some(n) = notice {
        write!(out, "  ⚠ {n}\r\n")?;
    }
    write!(out, "{}\r\n", keys_line(screen).replace('\n', "\r\n"))?;
    out.flush()
}

/// TTY mode: keys act at once.
pub fn drive_tty(session: &mut Session) -> io::Result<Ended> {
    let mut highlight = 0usize;
    let mut pending: BTreeSet<usize> = BTreeSet::new();
    let mut notice: Option<String> = None;
    let mut last_question: Option<String> = None;
    loop {
        let screen = session.screen();
        let qid = screen.question.as_ref().map(|q| q.id.clone());
        if qid != last_question {
            highlight = 0;
            pending = screen
                .question
                .as_ref()
                .map(|q| {
                    q.options
                        .iter()
                        .chain(&q.special_options)
                        .enumerate()
                        .filter(|(_, o)| o.selected)
                        .map(|(i, _)| i)
                        .collect()
                })
                .unwrap_or_default();
            last_question = qid;
        }
        if !is_choice(screen.question.as_ref()) && screen.kind == ScreenKind::Question {
            // Typed answers: read a whole line in the normal (cooked) terminal mode.
            draw(&screen, 0, &pending, notice.take().as_deref())?;
            print!("> ");
            io::stdout().flush()?;
            let mut line = String::new();
            if io::stdin().lock().read_line(&mut line)? == 0 {
                return Ok(Ended::Interrupted);
            }
            let action = parse_line(&line, &screen);
            if let Some(ended) = apply(session, action, &mut notice) {
                return Ok(ended);
            }
            continue;
        }
        let count = screen
            .question
            .as_ref()
            .map_or(0, |q| q.options.len() + q.special_options.len());
        let action = {
            let _raw = RawMode::enter()?;
            draw(&screen, highlight, &pending, notice.take().as_deref())?;
            let Event::Key(KeyEvent {
                code,
                modifiers,
                kind,
                ..
            }) = event::read()?
            else {
                continue;
            };
            if kind == KeyEventKind::Release {
                continue;
            }
            let multi = screen
                .question
                .as_ref()
                .is_some_and(|q| q.answer_type == AnswerType::Multi);
            match code {
                KeyCode::Char('c') if modifiers.contains(KeyModifiers::CONTROL) => {
                    return Ok(Ended::Interrupted);
                }
                KeyCode::Up => {
                    highlight = highlight.checked_sub(1).unwrap_or(count.saturating_sub(1));
                    continue;
                }
                KeyCode::Down => {
                    highlight = if count == 0 {
                        0
                    } else {
                        (highlight + 1) % count
                    };
                    continue;
                }
                KeyCode::Char(' ') if multi => {
                    if !pending.remove(&highlight) {
                        pending.insert(highlight);
                    }
                    continue;
                }
                KeyCode::Enter if screen.kind == ScreenKind::Review => Action::Finish,
                KeyCode::Enter if multi => {
                    if pending.is_empty() {
                        Action::Choose(vec![highlight])
                    } else {
                        Action::Choose(pending.iter().copied().collect())
                    }
                }
                KeyCode::Enter => Action::Choose(vec![highlight]),
                KeyCode::Left | KeyCode::Backspace => Action::Back,
                KeyCode::Esc => Action::Quit,
                KeyCode::Char(c) if c.is_ascii_digit() => {
                    let n = c.to_digit(10).map_or(0, |d| d as usize);
                    if n == 0 || n > count {
                        Action::Unknown
                    } else if multi {
                        if !pending.remove(&(n - 1)) {
                            pending.insert(n - 1);
                        }
                        highlight = n - 1;
                        continue;
                    } else {
                        Action::Choose(vec![n - 1])
                    }
                }
                KeyCode::Char(c) => command(&c.to_string()).unwrap_or(Action::Unknown),
                _ => continue,
            }
        };
        pending.clear();
        if let Some(ended) = apply(session, action, &mut notice) {
            return Ok(ended);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use relais_core::Context;

    #[test]
    fn lines_become_actions() {
        let session = Session::start("quick-check", Lang::En, Context::default()).unwrap();
        let screen = session.screen();
        assert_eq!(parse_line("b", &screen), Action::Back);
        assert_eq!(parse_line(":q", &screen), Action::Quit);
        assert_eq!(parse_line("1", &screen), Action::Choose(vec![0]));
        assert_eq!(parse_line("adult", &screen), Action::Choose(vec![0]));
        assert_eq!(parse_line("dont_know", &screen), Action::Choose(vec![3]));
        assert_eq!(
            parse_line(":lang es", &screen),
            Action::Language("es".into())
        );
        assert_eq!(parse_line("99", &screen), Action::Unknown);
        assert_eq!(parse_line("  ", &screen), Action::Nothing);
    }
}
