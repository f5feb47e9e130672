//! Template files in TOML, behind the `toml` feature.

use crate::checklist::error::TemplateError;
use crate::checklist::template::Template;

impl Template {
    /// Reads a template from TOML, checked as every template is; the
    /// fields are those serde writes (see `examples/templates/team.toml`,
    /// a complete commented file).
    ///
    /// ```
    /// use release_workflow::Template;
    ///
    /// let template = Template::from_toml(include_str!("../../examples/templates/team.toml"))?;
    /// assert_eq!(template.name(), "Payments API");
    /// assert_eq!(Template::from_toml(&template.to_toml()?)?, template);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`TemplateError::Unreadable`] for TOML that is not a template (a
    /// misspelt or missing field, a wrong type), naming the line; the
    /// template's own errors for a template that breaks its rules.
    pub fn from_toml(text: &str) -> Result<Template, TemplateError> {
        toml::from_str(text).map_err(|error| TemplateError::Unreadable {
            format: "TOML",
            problem: error.to_string().trim_end().replace('\n', " "),
        })
    }

    /// The template as TOML that [`from_toml`](Template::from_toml) reads
    /// back to an equal template.
    ///
    /// # Errors
    ///
    /// [`TemplateError::Unreadable`] if the TOML writer refuses the
    /// template, which no template built by this crate makes it do.
    pub fn to_toml(&self) -> Result<String, TemplateError> {
        toml::to_string_pretty(self)
            .map_err(|error| TemplateError::Unreadable { format: "TOML", problem: error.to_string() })
    }
}
