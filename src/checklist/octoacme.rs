//! The OctoAcme release management checklist, word for word.

use std::sync::{Arc, LazyLock};

use crate::checklist::template::Template;
use crate::stage::{Gate, Stage};

/// The template's name.
pub const OCTOACME_NAME: &str = "OctoAcme Release Management Checklist";

impl Template {
    /// The OctoAcme release management checklist: 66 items in 12 sections,
    /// titles word for word.
    ///
    /// Items the source marks "(if applicable)" or "(if needed)" are
    /// [`IfApplicable`](crate::checklist::Requirement::IfApplicable) and their titles
    /// drop the marker. Gates follow the phases of the source:
    ///
    /// | gate | sections |
    /// |---|---|
    /// | Freeze | Release Planning; "All planned features completed and merged", "Code freeze initiated" |
    /// | Deploy | the rest of Code & Build Readiness; Testing & Quality Assurance; Documentation; Environment Preparation; Pre-Deployment |
    /// | Verify | Deployment Execution |
    /// | Release | Post-Deployment Verification |
    /// | PostRelease | Communication; Monitoring & Support; Documentation & Closure |
    /// | Rollback | Rollback Checklist |
    ///
    /// "Rollback decision made and communicated" (`rollback.decision-made`)
    /// is settled by the rollback itself.
    ///
    /// The template carries one rollback criterion per trigger of the
    /// checklist's "When to Rollback", described at
    /// [`octoacme_criteria`](crate::health::octoacme_criteria).
    ///
    /// ```
    /// use release_workflow::{Gate, Template};
    ///
    /// let octoacme = Template::octoacme();
    /// assert_eq!(octoacme.items().len(), 66);
    /// assert_eq!(octoacme.gate_items(Gate::Freeze).count(), 8);
    /// let item = octoacme.item("planning.version-confirmed").ok_or("missing")?;
    /// assert_eq!(item.title(), "Release version and date confirmed");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn octoacme() -> Template {
        (*OCTOACME).as_ref().clone()
    }

    /// The OctoAcme checklist as version 0.2 of this crate wrote it: the
    /// same items and criteria, without the [policy](Template::policy), the
    /// [restoration item](Template::restoration) and the
    /// [health check on verify](Template::checks_health_on_verify) added
    /// since. Logs
    /// planned with 0.2 carry this checklist; a reader that still needs them
    /// trusts it: `Trust::default().trusting(Template::octoacme_0_2())`.
    /// Replayed against it, a release follows the rules it was planned
    /// under: anyone may do anything, and a rollback restores service when
    /// it is decided.
    ///
    /// ```
    /// use release_workflow::Template;
    ///
    /// let old = Template::octoacme_0_2();
    /// assert!(old.policy().is_none() && old.restoration().is_none());
    /// assert_eq!(old.items(), Template::octoacme().items());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn octoacme_0_2() -> Template {
        build_octoacme(Version::V0_2)
    }

    /// The OctoAcme checklist, shared: every release planned or loaded with
    /// it holds this one copy.
    pub(crate) fn octoacme_shared() -> Arc<Template> {
        Arc::clone(&OCTOACME)
    }
}

/// Built once: every later call clones it, which is cheaper than checking it again.
static OCTOACME: LazyLock<Arc<Template>> = LazyLock::new(|| Arc::new(build_octoacme(Version::Current)));

/// Which OctoAcme checklist to build: today's, or the one 0.2 stored.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Version {
    Current,
    V0_2,
}

#[allow(clippy::expect_used, reason = "a constant, checked by the unit tests; no caller input reaches it")]
fn build_octoacme(version: Version) -> Template {
    use Gate::{Deploy, Freeze, PostRelease, Release, Rollback, Verify};
    let redeployed = ("rollback.previous-version-redeployed", "Previous version redeployed");
    let built = Template::builder(OCTOACME_NAME)
        .section("Release Planning")
        .item("planning.version-confirmed", "Release version and date confirmed", Freeze)
        .item("planning.type-identified", "Release type identified (patch, minor, major)", Freeze)
        .item("planning.scope-documented", "Release scope and features documented", Freeze)
        .item("planning.dependencies-identified", "Dependencies on other teams/systems identified", Freeze)
        .item("planning.roles-assigned", "Release manager and on-call engineer assigned", Freeze)
        .item("planning.stakeholders-notified", "Stakeholders notified of upcoming release", Freeze)
        .section("Code & Build Readiness")
        .item("build.features-merged", "All planned features completed and merged", Freeze)
        .item_if_applicable("build.code-freeze", "Code freeze initiated", Freeze)
        .item("build.pipelines-passing", "All CI/CD pipelines passing", Deploy)
        .item("build.artifacts-verified", "Build artifacts generated and verified", Deploy)
        .item("build.version-numbers-updated", "Version numbers updated in code and configuration", Deploy)
        .section("Testing & Quality Assurance")
        .item("testing.unit-tests-passing", "Unit tests passing", Deploy)
        .item("testing.integration-tests-passing", "Integration tests passing", Deploy)
        .item("testing.security-scans-clean", "Security scans completed with no critical issues", Deploy)
        .item_if_applicable("testing.performance-tested", "Performance testing completed", Deploy)
        .item("testing.acceptance-validated", "Acceptance criteria validated", Deploy)
        .item("testing.regression-tested", "Regression testing completed", Deploy)
        .section("Documentation")
        .item("docs.release-notes-drafted", "Release notes drafted and reviewed", Deploy)
        .item_if_applicable("docs.api-changes-documented", "API changes documented", Deploy)
        .item_if_applicable("docs.migration-guides-prepared", "Migration guides prepared", Deploy)
        .item("docs.known-issues-documented", "Known issues documented", Deploy)
        .item("docs.rollback-procedures-documented", "Rollback procedures documented", Deploy)
        .section("Environment Preparation")
        .item("environment.staging-verified", "Staging environment updated and verified", Deploy)
        .item("environment.capacity-verified", "Production environment capacity verified", Deploy)
        .item("environment.migrations-tested", "Database migrations tested in staging", Deploy)
        .item("environment.config-reviewed", "Configuration changes reviewed", Deploy)
        .item_if_applicable("environment.feature-flags-configured", "Feature flags configured", Deploy)
        .section("Pre-Deployment")
        .item("pre-deployment.window-confirmed", "Deployment window confirmed with stakeholders", Deploy)
        .item("pre-deployment.team-on-standby", "Team members on standby for deployment", Deploy)
        .item_if_applicable("pre-deployment.database-backed-up", "Database backup completed", Deploy)
        .item("pre-deployment.production-state-documented", "Current production state documented", Deploy)
        .item("pre-deployment.monitoring-verified", "Monitoring and alerting verified", Deploy)
        .item("pre-deployment.channels-ready", "Communication channels ready (Slack, email, etc.)", Deploy)
        .section("Deployment Execution")
        .item("deployment.initiated", "Deployment initiated", Verify)
        .item("deployment.progress-monitored", "Progress monitored through deployment pipeline", Verify)
        .item_if_applicable("deployment.migrations-executed", "Database migrations executed", Verify)
        .item("deployment.config-applied", "Configuration changes applied", Verify)
        .item("deployment.services-deployed", "Services restarted/deployed as needed", Verify)
        .section("Post-Deployment Verification")
        .item("verification.health-checks-passing", "Health checks passing", Release)
        .item("verification.smoke-tests-passing", "Smoke tests executed and passing", Release)
        .item(
            "verification.key-metrics-monitored",
            "Key metrics monitored (error rates, latency, etc.)",
            Release,
        )
        .item_if_applicable("verification.production-uat", "User acceptance testing in production", Release)
        .item("verification.critical-flows-checked", "Spot checks of critical user flows", Release)
        .item("verification.logs-clean", "No critical errors in logs", Release)
        .section("Communication")
        .item(
            "communication.stakeholders-notified",
            "Stakeholders notified of successful deployment",
            PostRelease,
        )
        .item("communication.release-notes-published", "Release notes published", PostRelease)
        .item("communication.support-briefed", "Support team briefed on changes", PostRelease)
        .item_if_applicable(
            "communication.customer-announcement",
            "Customer-facing announcement",
            PostRelease,
        )
        .item("communication.internal-announcement", "Internal announcement to team", PostRelease)
        .section("Monitoring & Support")
        .item(
            "monitoring.production-monitored",
            "Monitor production for 24-48 hours post-release",
            PostRelease,
        )
        .item("monitoring.kpis-tracked", "Track key performance indicators", PostRelease)
        .item("monitoring.issues-addressed", "Address any issues that arise", PostRelease)
        .item(
            "monitoring.on-call-coordinated",
            "Coordinate with on-call team if incidents occur",
            PostRelease,
        )
        .section("Documentation & Closure")
        .item("closure.tracking-updated", "Update release tracking board/spreadsheet", PostRelease)
        .item("closure.issues-documented", "Document any issues encountered and resolutions", PostRelease)
        .item("closure.lessons-captured", "Capture lessons learned", PostRelease)
        .item("closure.artifacts-archived", "Archive release artifacts", PostRelease)
        .item_if_applicable("closure.retrospective-scheduled", "Schedule release retrospective", PostRelease)
        .section("Rollback Checklist")
        .item_settled_on_entering(
            "rollback.decision-made",
            "Rollback decision made and communicated",
            Rollback,
            Stage::RolledBack,
        )
        .item("rollback.procedure-initiated", "Rollback procedure initiated", Rollback);
    let built = match version {
        Version::Current => built.restoration_item(redeployed.0, redeployed.1),
        Version::V0_2 => built.item(redeployed.0, redeployed.1, Rollback),
    };
    let built = built
        .item_if_applicable("rollback.database-rolled-back", "Database rollback executed", Rollback)
        .item("rollback.services-verified", "Services verified after rollback", Rollback)
        .item("rollback.stakeholders-notified", "Stakeholders notified of rollback", Rollback)
        .item("rollback.incident-report-created", "Incident report created", Rollback)
        .item("rollback.root-cause-analysis-scheduled", "Root cause analysis scheduled", Rollback)
        .criteria(crate::health::octoacme_criteria());
    let built = match version {
        Version::Current => built.policy(crate::policy::Policy::octoacme()).health_check_on_verify().build(),
        Version::V0_2 => built.build(),
    };
    // A constant, checked by the unit tests: no caller input reaches it.
    built.expect("the built-in OctoAcme template is valid")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_template_is_valid() {
        let template = build_octoacme(Version::Current);
        assert_eq!(template.items().len(), 66);
        assert_eq!(template.sections().len(), 12);
        assert_eq!(template.criteria().len(), 5);
    }

    #[test]
    fn the_0_2_checklist_differs_only_by_its_policy_restoration_and_verify_check() {
        let old = Template::octoacme_0_2();
        let now = Template::octoacme();
        assert_eq!(old.items(), now.items());
        assert_eq!(old.criteria(), now.criteria());
        let differences: Vec<String> = old.differences_from(&now).iter().map(ToString::to_string).collect();
        assert_eq!(
            differences,
            [
                "policy removed",
                "restoration item none instead of `rollback.previous-version-redeployed`",
                "it does not check health on the verify gate"
            ]
        );
    }
}
