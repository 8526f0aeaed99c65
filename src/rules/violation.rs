//! What a rule returns: a [`Violation`] (the runner adds code, name and severity), with
//! help text whose snippets are [`FixIntent`]s the front end writes in its own syntax.

use crate::analysis::trace::Trace;
use crate::diag::{FlowText, Label, StepText};
use crate::ir::FixIntent;
use crate::source::Origin;

/// One part of a help text.
#[derive(Clone, Debug)]
pub enum HelpPart {
    Text(String),
    /// The block an intent adds (a route), indented by `indent` spaces.
    Snippet {
        intent: FixIntent,
        indent: usize,
    },
    /// The one-line setting an intent changes (`bgp_route_propagation_enabled = false`).
    Setting(FixIntent),
}

/// A help text: words, with snippets written by the front end.
#[derive(Clone, Debug, Default)]
pub struct Help(pub Vec<HelpPart>);

impl Help {
    pub fn text(s: impl Into<String>) -> Help {
        Help(vec![HelpPart::Text(s.into())])
    }
    pub fn then(mut self, s: impl Into<String>) -> Help {
        self.0.push(HelpPart::Text(s.into()));
        self
    }
    pub fn snippet(mut self, intent: &FixIntent, indent: usize) -> Help {
        self.0.push(HelpPart::Snippet {
            intent: intent.clone(),
            indent,
        });
        self
    }
    pub fn setting(mut self, intent: &FixIntent) -> Help {
        self.0.push(HelpPart::Setting(intent.clone()));
        self
    }
}

impl From<String> for Help {
    fn from(s: String) -> Help {
        Help::text(s)
    }
}

impl From<&str> for Help {
    fn from(s: &str) -> Help {
        Help::text(s)
    }
}

/// The traced flow a finding is about, both directions (what `graph` draws).
#[derive(Clone, Debug)]
pub struct Traced {
    pub forward: Trace,
    pub reply: Option<Trace>,
}

/// A rule's finding before the runner gives it a code, name and severity.
#[derive(Clone, Debug, Default)]
pub struct Violation {
    pub message: String,
    /// Machine-readable subject: the flow's endpoints (parity between front ends).
    pub subject: String,
    pub notes: Vec<String>,
    /// The first primary label is where to change something.
    pub labels: Vec<Label>,
    pub help: Option<Help>,
    /// The change that removes the finding, when it is mechanical.
    pub fix: Option<FixIntent>,
    pub flow: Option<FlowText>,
    pub traced: Option<Traced>,
}

impl Violation {
    pub fn new(message: impl Into<String>) -> Violation {
        Violation {
            message: message.into(),
            ..Default::default()
        }
    }
    pub fn subject(mut self, s: impl Into<String>) -> Self {
        self.subject = s.into();
        self
    }
    pub fn primary(mut self, origin: Origin, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            origin,
            message: message.into(),
            primary: true,
        });
        self
    }
    pub fn secondary(mut self, origin: Origin, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            origin,
            message: message.into(),
            primary: false,
        });
        self
    }
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }
    pub fn help(mut self, help: impl Into<Help>) -> Self {
        self.help = Some(help.into());
        self
    }
    pub fn fix(mut self, intent: &FixIntent) -> Self {
        self.fix = Some(intent.clone());
        self
    }
    /// Records the flow and both directions in words (as data and as the first notes).
    pub fn flow(
        mut self,
        flow: impl Into<String>,
        forward: impl Into<String>,
        reverse: Option<String>,
    ) -> Self {
        let f = FlowText {
            flow: flow.into(),
            forward: forward.into(),
            reverse,
            forward_steps: Vec::new(),
            return_steps: Vec::new(),
        };
        self.notes.push(f.flow.clone());
        self.notes.push(format!("forward: {}", f.forward));
        if let Some(r) = &f.reverse {
            self.notes.push(format!("return:  {r}"));
        }
        self.flow = Some(f);
        self
    }
    /// Attaches the hops of both directions to the recorded flow.
    pub fn steps(mut self, forward: Vec<StepText>, reverse: Vec<StepText>) -> Self {
        if let Some(f) = self.flow.as_mut() {
            f.forward_steps = forward;
            f.return_steps = reverse;
        }
        self
    }
    /// The traces `graph` draws for this finding.
    pub fn traced(mut self, forward: &Trace, reply: Option<&Trace>) -> Self {
        self.traced = Some(Traced {
            forward: forward.clone(),
            reply: reply.cloned(),
        });
        self
    }
}
