//! Change windows: freezes and deployment windows, one-off or weekly, in a
//! time zone.

use std::fmt;
use std::str::FromStr;

use chrono::{
    DateTime, Datelike, NaiveDateTime, NaiveTime, Offset, TimeDelta, TimeZone, Timelike, Utc, Weekday,
};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::policy::error::PolicyError;
use crate::text::{MAX_NAME_CHARS, MAX_TITLE_CHARS, check_line, named_enum};
use crate::version::ReleaseKind;

/// What a [`ChangeWindow`] does to deployments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum WindowKind {
    /// No release may start deploying inside it.
    Freeze,
    /// Releases may start deploying only inside a deployment window (when
    /// any applies to them).
    Deployment,
}

named_enum!(WindowKind, "window kind", {
    Freeze => "freeze",
    Deployment => "deployment",
});

/// A moment of the week in local time: a weekday and a time of day, written
/// `fri 18:00`.
///
/// ```
/// use release_workflow::policy::WeeklyTime;
///
/// let time: WeeklyTime = "Fri 18:00".parse()?;
/// assert_eq!(time.to_string(), "fri 18:00");
/// assert!("fri 25:00".parse::<WeeklyTime>().is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct WeeklyTime {
    weekday: Weekday,
    time: NaiveTime,
}

impl WeeklyTime {
    /// The moment `time` on `weekday`.
    pub fn new(weekday: Weekday, time: NaiveTime) -> WeeklyTime {
        WeeklyTime { weekday, time }
    }

    /// The weekday.
    pub fn weekday(&self) -> Weekday {
        self.weekday
    }

    /// The time of day.
    pub fn time(&self) -> NaiveTime {
        self.time
    }

    /// Seconds since Monday 00:00.
    fn second_of_week(self) -> u32 {
        self.weekday.num_days_from_monday() * 86_400 + self.time.num_seconds_from_midnight()
    }
}

impl FromStr for WeeklyTime {
    type Err = PolicyError;

    fn from_str(text: &str) -> Result<WeeklyTime, PolicyError> {
        let bad = || PolicyError::InvalidWindow {
            window: crate::text::shorten(text),
            problem: "is not a weekly time: write a weekday and a 24-hour time, such as `fri 18:00`".into(),
        };
        let (day, time) = text.trim().split_once(' ').ok_or_else(bad)?;
        let weekday = Weekday::from_str(day).map_err(|_| bad())?;
        let time = NaiveTime::parse_from_str(time.trim(), "%H:%M").map_err(|_| bad())?;
        Ok(WeeklyTime { weekday, time })
    }
}

impl TryFrom<String> for WeeklyTime {
    type Error = PolicyError;

    fn try_from(text: String) -> Result<WeeklyTime, PolicyError> {
        text.parse()
    }
}

impl From<WeeklyTime> for String {
    fn from(time: WeeklyTime) -> String {
        time.to_string()
    }
}

impl fmt::Display for WeeklyTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let day = self.weekday.to_string().to_ascii_lowercase();
        write!(f, "{day} {}", self.time.format("%H:%M"))
    }
}

/// When a [`ChangeWindow`] holds, in its time zone's wall-clock time.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
#[non_exhaustive]
pub enum WindowSchedule {
    /// Once, from one local date and time to another (a holiday freeze).
    Once {
        /// When it starts, local time.
        from: NaiveDateTime,
        /// When it ends, local time (not included).
        to: NaiveDateTime,
    },
    /// Every week, from one weekly time to the next (`fri 18:00` to
    /// `mon 07:00` spans the weekend).
    Weekly {
        /// When it starts each week, local time.
        from: WeeklyTime,
        /// When it ends, local time (not included).
        to: WeeklyTime,
    },
}

impl fmt::Display for WindowSchedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WindowSchedule::Once { from, to } => {
                write!(f, "{} to {}", from.format("%Y-%m-%d %H:%M"), to.format("%Y-%m-%d %H:%M"))
            }
            WindowSchedule::Weekly { from, to } => write!(f, "every {from} to {to}"),
        }
    }
}

/// A freeze or a deployment window: when releases may not, or may only,
/// start deploying.
///
/// Times are wall-clock times in an IANA time zone, so a weekly window
/// holds from the same local time on both sides of a daylight-saving
/// change. A window can be scoped to services and release kinds; unscoped,
/// it holds for every release of its template. Entering `Deploying` inside
/// a freeze, or outside every deployment window that applies, is refused
/// unless someone the policy permits overrode the window with a reason.
///
/// A window's time zone is a [`chrono_tz::Tz`], which this crate
/// re-exports as `release_workflow::chrono_tz` so that a tool names it
/// without matching `chrono-tz`'s version by hand.
///
/// ```
/// use release_workflow::chrono::{DateTime, Utc};
/// use release_workflow::chrono_tz::Europe::Berlin;
/// use release_workflow::policy::{ChangeWindow, WindowKind};
///
/// let weekend = ChangeWindow::weekly(
///     "Weekend freeze",
///     WindowKind::Freeze,
///     Berlin,
///     "fri 18:00".parse()?,
///     "mon 07:00".parse()?,
/// )?;
/// let friday_evening: DateTime<Utc> = "2026-12-04T17:30:00Z".parse()?; // 18:30 in Berlin
/// assert!(weekend.contains(friday_evening));
/// assert_eq!(weekend.ends_after(friday_evening), "2026-12-07T06:00:00Z".parse::<DateTime<Utc>>()?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "WindowFields")]
pub struct ChangeWindow {
    name: String,
    kind: WindowKind,
    time_zone: Tz,
    schedule: WindowSchedule,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    services: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    kinds: Vec<ReleaseKind>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WindowFields {
    name: String,
    kind: WindowKind,
    time_zone: Tz,
    schedule: WindowSchedule,
    #[serde(default)]
    services: Vec<String>,
    #[serde(default)]
    kinds: Vec<ReleaseKind>,
}

impl TryFrom<WindowFields> for ChangeWindow {
    type Error = PolicyError;

    fn try_from(fields: WindowFields) -> Result<ChangeWindow, PolicyError> {
        let window = ChangeWindow {
            name: fields.name,
            kind: fields.kind,
            time_zone: fields.time_zone,
            schedule: fields.schedule,
            services: fields.services,
            kinds: fields.kinds,
        };
        window.validate()?;
        Ok(window)
    }
}

impl ChangeWindow {
    /// A window that holds every week from `from` to `to`, local time in
    /// `time_zone`.
    ///
    /// # Errors
    ///
    /// [`PolicyError::InvalidWindow`] for a bad name, or `from` equal to
    /// `to` (an empty or endless window).
    pub fn weekly(
        name: &str,
        kind: WindowKind,
        time_zone: Tz,
        from: WeeklyTime,
        to: WeeklyTime,
    ) -> Result<ChangeWindow, PolicyError> {
        ChangeWindow::new(name, kind, time_zone, WindowSchedule::Weekly { from, to })
    }

    /// A window that holds once, from `from` to `to`, local time in
    /// `time_zone`.
    ///
    /// # Errors
    ///
    /// [`PolicyError::InvalidWindow`] for a bad name, or `to` not after
    /// `from`.
    pub fn once(
        name: &str,
        kind: WindowKind,
        time_zone: Tz,
        from: NaiveDateTime,
        to: NaiveDateTime,
    ) -> Result<ChangeWindow, PolicyError> {
        ChangeWindow::new(name, kind, time_zone, WindowSchedule::Once { from, to })
    }

    fn new(
        name: &str,
        kind: WindowKind,
        time_zone: Tz,
        schedule: WindowSchedule,
    ) -> Result<ChangeWindow, PolicyError> {
        let window = ChangeWindow {
            name: name.to_owned(),
            kind,
            time_zone,
            schedule,
            services: Vec::new(),
            kinds: Vec::new(),
        };
        window.validate()?;
        Ok(window)
    }

    /// The same window, holding only for releases of these services.
    ///
    /// # Errors
    ///
    /// [`PolicyError::InvalidWindow`] for a service name that breaks the
    /// text rules.
    pub fn with_services<S: Into<String>>(
        mut self,
        services: impl IntoIterator<Item = S>,
    ) -> Result<ChangeWindow, PolicyError> {
        self.services = services.into_iter().map(Into::into).collect();
        self.validate()?;
        Ok(self)
    }

    /// The same window, holding only for releases of these kinds.
    pub fn with_kinds(mut self, kinds: impl IntoIterator<Item = ReleaseKind>) -> ChangeWindow {
        self.kinds = kinds.into_iter().collect();
        self
    }

    fn validate(&self) -> Result<(), PolicyError> {
        let problem = |problem: String| PolicyError::InvalidWindow {
            window: crate::text::shorten(&self.name),
            problem,
        };
        check_line("window name", &self.name, MAX_TITLE_CHARS).map_err(|e| problem(e.to_string()))?;
        for service in &self.services {
            check_line("service", service, MAX_NAME_CHARS).map_err(|e| problem(e.to_string()))?;
        }
        match &self.schedule {
            WindowSchedule::Once { from, to } if to <= from => Err(problem(format!(
                "ends at {to}, not after it starts at {from}: give an end after the start"
            ))),
            WindowSchedule::Weekly { from, to } if from == to => {
                Err(problem(format!("starts and ends at {from}: a weekly window needs two different times")))
            }
            _ => Ok(()),
        }
    }

    /// The window's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Freeze or deployment window.
    pub fn kind(&self) -> WindowKind {
        self.kind
    }

    /// The time zone its times are in.
    pub fn time_zone(&self) -> Tz {
        self.time_zone
    }

    /// When it holds.
    pub fn schedule(&self) -> &WindowSchedule {
        &self.schedule
    }

    /// The services it is scoped to; empty for every service.
    pub fn services(&self) -> &[String] {
        &self.services
    }

    /// The release kinds it is scoped to; empty for every kind.
    pub fn kinds(&self) -> &[ReleaseKind] {
        &self.kinds
    }

    /// Whether the window holds for a release of `service` (if named) and
    /// `kind`.
    pub fn applies_to(&self, service: Option<&str>, kind: ReleaseKind) -> bool {
        let service_fits = self.services.is_empty()
            || service.is_some_and(|service| self.services.iter().any(|s| s == service));
        service_fits && (self.kinds.is_empty() || self.kinds.contains(&kind))
    }

    /// Whether `at` falls inside the window.
    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        match &self.schedule {
            WindowSchedule::Once { from, to } => self.to_utc(*from) <= at && at < self.to_utc(*to),
            WindowSchedule::Weekly { from, to } => {
                // Past the calendar's last local day: no local time, no window.
                let Some(local) = local_time(self.time_zone, at) else { return false };
                let now = local.weekday().num_days_from_monday() * 86_400 + local.num_seconds_from_midnight();
                let (from, to) = (from.second_of_week(), to.second_of_week());
                if from < to { from <= now && now < to } else { now >= from || now < to }
            }
        }
    }

    /// The first moment after `at` at which the window ends: for a moment
    /// inside it, when it stops holding.
    pub fn ends_after(&self, at: DateTime<Utc>) -> DateTime<Utc> {
        match &self.schedule {
            WindowSchedule::Once { to, .. } => self.to_utc(*to),
            WindowSchedule::Weekly { to, .. } => self.next_weekly(*to, at),
        }
    }

    /// The first moment after `at` at which the window starts, if it starts
    /// again.
    pub fn opens_after(&self, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match &self.schedule {
            WindowSchedule::Once { from, .. } => Some(self.to_utc(*from)).filter(|from| *from > at),
            WindowSchedule::Weekly { from, .. } => Some(self.next_weekly(*from, at)),
        }
    }

    /// The next moment after `at` when local time reads `time`; the end
    /// of representable time when there is none before it (a caller's `at`
    /// may be anything).
    fn next_weekly(&self, time: WeeklyTime, at: DateTime<Utc>) -> DateTime<Utc> {
        let Some(local) = local_time(self.time_zone, at) else { return DateTime::<Utc>::MAX_UTC };
        let days_ahead =
            (7 + time.weekday.num_days_from_monday() - local.weekday().num_days_from_monday()) % 7;
        let mut candidate =
            local.date().and_time(time.time).checked_add_signed(TimeDelta::days(i64::from(days_ahead)));
        // This week's moment, or, when it is past, next week's.
        for _ in 0..2 {
            let Some(moment) = candidate else { break };
            let instant = self.to_utc(moment);
            if instant > at {
                return instant;
            }
            candidate = moment.checked_add_signed(TimeDelta::days(7));
        }
        DateTime::<Utc>::MAX_UTC
    }

    /// The instant a local wall-clock time names in the window's zone: the
    /// earlier of two in a repeated hour, and for a time skipped by a
    /// clock change, the moment the clock jumps past it.
    fn to_utc(&self, local: NaiveDateTime) -> DateTime<Utc> {
        let mut probe = local;
        // A gap is at most a few hours; minutes are the grid of window
        // times, so the first valid minute is the jump itself.
        for _ in 0..=24 * 60 {
            if let Some(instant) = self.time_zone.from_local_datetime(&probe).earliest() {
                return instant.with_timezone(&Utc);
            }
            let Some(next) = probe.checked_add_signed(TimeDelta::minutes(1)) else { break };
            probe = next;
        }
        // Only at the edges of representable time: read the time as UTC.
        local.and_utc()
    }
}

/// The wall-clock time `at` reads in `time_zone`; `None` at the edges of
/// the calendar, where it would not be representable.
fn local_time(time_zone: Tz, at: DateTime<Utc>) -> Option<NaiveDateTime> {
    let offset = time_zone.offset_from_utc_datetime(&at.naive_utc());
    at.naive_utc().checked_add_offset(offset.fix())
}

/// `at` as a person in `time_zone` reads it: `Mon 2026-12-07 07:00 CET`;
/// in UTC at the edges of the calendar.
pub(crate) fn local_text(time_zone: Tz, at: DateTime<Utc>) -> String {
    match local_time(time_zone, at) {
        Some(local) => {
            let zone = time_zone.offset_from_utc_datetime(&at.naive_utc());
            format!("{} {zone}", local.format("%a %Y-%m-%d %H:%M"))
        }
        None => at.format("%a %Y-%m-%d %H:%M UTC").to_string(),
    }
}

impl fmt::Display for ChangeWindow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            WindowKind::Freeze => "freeze",
            WindowKind::Deployment => "deployment window",
        };
        write!(f, "{kind} \"{}\" ({} {})", self.name, self.schedule, self.time_zone)
    }
}
