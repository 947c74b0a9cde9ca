//! Matching needs and red flags to services of the directory, nearest and most suitable first.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::directory::{Directory, Service, ServiceCategory};
use crate::assessment::{merge_needs, needs_of_flag};
use crate::effects::{Need, Priority, RedFlag};
use crate::i18n::{t, tf};
use crate::lang::Lang;
use crate::next_steps::categories_for_step;

/// What to find services for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MatchRequest {
    pub needs: Vec<(Need, Priority)>,
    pub flags: BTreeSet<RedFlag>,
    /// The person is a child: only services that take children, and child protection is added.
    pub child: bool,
    /// Where the person is, as an area path or a single place name (`Kwilu/Kikwit`, `Kikwit`).
    pub area: Option<String>,
    /// A language the person speaks (ISO 639 code).
    pub language: Option<String>,
    /// Next steps of the results that refer to services (`refer_nrm`, `refer_gbv`, …): their
    /// categories are proposed too.
    pub steps: BTreeSet<String>,
}

/// How close a service is to the requested area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Proximity {
    SameArea,
    SameRegion,
    Elsewhere,
    /// No area was given.
    Unknown,
}

/// One proposed service, with why it was ranked where it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceMatch {
    pub service: Service,
    pub proximity: Proximity,
    pub score: u32,
    pub reasons: Vec<String>,
}

/// Services proposed for one category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    pub category: ServiceCategory,
    pub category_label: String,
    pub priority: Priority,
    pub priority_label: String,
    /// The needs (or `flag:<id>`, `child`) this category answers.
    pub because: Vec<String>,
    /// Best first; empty when the directory has nothing suitable.
    pub services: Vec<ServiceMatch>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchResult {
    pub directory: String,
    /// The directory is demo or training data.
    pub fictitious: bool,
    /// Most urgent first.
    pub proposals: Vec<Proposal>,
    /// Categories with no suitable service: the gap to raise with the NRM coordinator.
    pub unmet: Vec<ServiceCategory>,
    pub explanation: String,
    pub language: Lang,
}

fn fold(s: &str) -> String {
    s.trim()
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'à' | 'â' | 'á' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' | 'í' => 'i',
            'ô' | 'ö' | 'ó' => 'o',
            'ù' | 'û' | 'ü' | 'ú' => 'u',
            'ç' => 'c',
            'ñ' => 'n',
            other => other,
        })
        .collect()
}

fn segments(path: &str) -> Vec<String> {
    path.split('/')
        .map(fold)
        .filter(|s| !s.is_empty())
        .collect()
}

/// Same area: the service's area is the requested place or inside it; same region: they share their
/// top-level area.
pub fn proximity(service_area: &str, requested: Option<&str>) -> Proximity {
    let Some(requested) = requested else {
        return Proximity::Unknown;
    };
    let service = segments(service_area);
    let wanted = segments(requested);
    let (Some(last), Some(first)) = (wanted.last(), wanted.first()) else {
        return Proximity::Unknown;
    };
    if service.contains(last) && wanted.iter().all(|w| service.contains(w)) {
        return Proximity::SameArea;
    }
    let region_of_request = if wanted.len() > 1 {
        Some(first.clone())
    } else {
        None
    };
    let same_region = service.first().is_some_and(|top| {
        Some(top) == region_of_request.as_ref() || top == last || service.contains(first)
    });
    if same_region {
        Proximity::SameRegion
    } else {
        Proximity::Elsewhere
    }
}

fn rank(service: &Service, priority: Priority, req: &MatchRequest, lang: Lang) -> ServiceMatch {
    let proximity = proximity(&service.area, req.area.as_deref());
    let mut score = 0;
    let mut reasons = Vec::new();
    match proximity {
        Proximity::SameArea => {
            score += 30;
            reasons.push(t(lang, "match.same_area"));
        }
        Proximity::SameRegion => {
            score += 15;
            reasons.push(t(lang, "match.same_region"));
        }
        Proximity::Elsewhere => reasons.push(t(lang, "match.elsewhere")),
        Proximity::Unknown => {}
    }
    if service.available_24h {
        score += if priority == Priority::Emergency {
            10
        } else {
            2
        };
        reasons.push(t(lang, "match.open_24h"));
    }
    if let Some(code) = &req.language
        && service
            .languages
            .iter()
            .any(|l| l.eq_ignore_ascii_case(code))
    {
        score += 5;
        reasons.push(tf(lang, "match.speaks", &[("language", code)]));
    }
    if req.child
        && service
            .categories
            .contains(&ServiceCategory::ChildProtection)
    {
        score += 3;
        reasons.push(t(lang, "match.child_specialised"));
    }
    ServiceMatch {
        service: service.clone(),
        proximity,
        score,
        reasons,
    }
}

/// A single place name (`Kikwit`) becomes its full path (`Kwilu/Kikwit`) when the directory knows
/// it, so that services elsewhere in the same region rank above those far away.
pub fn resolve_area(directory: &Directory, area: &str) -> String {
    let wanted = segments(area);
    if wanted.len() != 1 {
        return area.to_string();
    }
    for service in &directory.services {
        let parts: Vec<&str> = service.area.split('/').map(str::trim).collect();
        if let Some(i) = parts.iter().position(|p| fold(p) == wanted[0]) {
            return parts[..=i].join("/");
        }
    }
    area.to_string()
}

/// Proposes services for every need and red flag, most urgent first.
pub fn propose(directory: &Directory, req: &MatchRequest, lang: Lang) -> MatchResult {
    // A child alone is a child, whether or not the caller said so.
    let child_flagged;
    let req = if req.flags.contains(&RedFlag::UnaccompaniedChild) && !req.child {
        child_flagged = MatchRequest {
            child: true,
            ..req.clone()
        };
        &child_flagged
    } else {
        req
    };
    let resolved;
    let req = match &req.area {
        Some(area) => {
            resolved = MatchRequest {
                area: Some(resolve_area(directory, area)),
                ..req.clone()
            };
            &resolved
        }
        None => req,
    };
    let mut wanted: BTreeMap<Need, (Priority, Vec<String>)> = BTreeMap::new();
    for &(need, priority) in &req.needs {
        merge_needs(&mut wanted, need, priority, need.id());
    }
    for &flag in &req.flags {
        for &(need, priority) in needs_of_flag(flag) {
            merge_needs(&mut wanted, need, priority, &format!("flag:{flag}"));
        }
    }
    let mut categories: BTreeMap<ServiceCategory, (Priority, Vec<String>)> = BTreeMap::new();
    for (need, (priority, because)) in wanted {
        let entry = categories
            .entry(ServiceCategory::for_need(need))
            .or_insert((priority, Vec::new()));
        entry.0 = entry.0.min(priority);
        entry.1.extend(because);
    }
    for step in &req.steps {
        let (wanted, priority) = categories_for_step(step);
        for &category in wanted {
            let entry = categories.entry(category).or_insert((priority, Vec::new()));
            entry.0 = entry.0.min(priority);
            let because = format!("step:{step}");
            if !entry.1.contains(&because) {
                entry.1.push(because);
            }
        }
    }
    if req.child {
        let entry = categories
            .entry(ServiceCategory::ChildProtection)
            .or_insert((Priority::Urgent, Vec::new()));
        entry.0 = entry.0.min(Priority::Urgent);
        entry.1.push("child".into());
    }

    let mut proposals: Vec<Proposal> = categories
        .into_iter()
        .map(|(category, (priority, because))| {
            let mut services: Vec<ServiceMatch> = directory
                .services
                .iter()
                .filter(|s| s.categories.contains(&category))
                .filter(|s| !req.child || s.takes_children)
                .map(|s| rank(s, priority, req, lang))
                .collect();
            services.sort_by(|a, b| {
                b.score
                    .cmp(&a.score)
                    .then_with(|| a.service.organisation.cmp(&b.service.organisation))
                    .then_with(|| a.service.id.cmp(&b.service.id))
            });
            Proposal {
                category,
                category_label: category.label(lang),
                priority,
                priority_label: priority.label(lang),
                because,
                services,
            }
        })
        .collect();
    proposals.sort_by_key(|p| (p.priority, p.category));
    let unmet: Vec<ServiceCategory> = proposals
        .iter()
        .filter(|p| p.services.is_empty())
        .map(|p| p.category)
        .collect();

    let mut lines = Vec::new();
    if directory.fictitious {
        lines.push(t(lang, "match.fictitious"));
    }
    if proposals.is_empty() {
        lines.push(t(lang, "match.nothing_requested"));
    }
    for p in &proposals {
        let line = match p.services.first() {
            Some(best) => tf(
                lang,
                "match.best",
                &[
                    ("category", &p.category_label),
                    ("priority", &p.priority_label),
                    ("organisation", &best.service.organisation),
                    ("count", &p.services.len().to_string()),
                ],
            ),
            None => tf(
                lang,
                "match.none",
                &[
                    ("category", &p.category_label),
                    ("priority", &p.priority_label),
                ],
            ),
        };
        lines.push(line);
    }
    if !proposals.is_empty() {
        lines.push(t(lang, "match.consent"));
    }
    MatchResult {
        directory: directory.name.clone(),
        fictitious: directory.fictitious,
        proposals,
        unmet,
        explanation: lines.join("\n"),
        language: lang,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unaccompanied_child_gets_only_services_for_children() {
        let req = MatchRequest {
            flags: [RedFlag::UnaccompaniedChild].into(),
            area: Some("Kikwit".into()),
            ..MatchRequest::default()
        };
        let result = propose(Directory::sample_kwilu(), &req, Lang::En);
        let shelter = result
            .proposals
            .iter()
            .find(|p| p.category == ServiceCategory::Shelter)
            .unwrap();
        assert!(!shelter.services.is_empty());
        assert!(shelter.services.iter().all(|m| m.service.takes_children));
        assert!(
            result
                .proposals
                .iter()
                .any(|p| p.category == ServiceCategory::ChildProtection)
        );
    }

    #[test]
    fn proximity_of_areas() {
        let p = |a, r| proximity(a, Some(r));
        assert_eq!(p("Kwilu/Kikwit", "Kikwit"), Proximity::SameArea);
        assert_eq!(p("Kwilu/Kikwit", "kwilu/kikwit"), Proximity::SameArea);
        assert_eq!(
            p("Kwilu/Kikwit/Lukolela", "Kwilu/Kikwit"),
            Proximity::SameArea
        );
        assert_eq!(p("Kwilu/Bandundu", "Kwilu/Kikwit"), Proximity::SameRegion);
        assert_eq!(p("Kwilu/Bandundu", "Kwilu"), Proximity::SameArea);
        assert_eq!(p("Kinshasa/Gombe", "Kwilu/Kikwit"), Proximity::Elsewhere);
        assert_eq!(p("Kinshasa/Gombe", "Kikwit"), Proximity::Elsewhere);
        assert_eq!(proximity("Kwilu", None), Proximity::Unknown);
        assert_eq!(p("Équateur/Mbandaka", "equateur"), Proximity::SameArea);
    }
}
