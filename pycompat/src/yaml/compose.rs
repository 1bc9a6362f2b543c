//! The composer: yaml-rust2's events to a node graph (aliases share
//! nodes).

use std::collections::HashMap;

use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::TScalarStyle;

use super::resolve::{NodeTag, explicit_tag, resolve};
use super::tokens::BlockScalars;
use super::{MAX_DEPTH, Mark, YamlError};

#[derive(Debug, Clone)]
pub(super) enum Kind {
    Scalar(String),
    Seq(Vec<usize>),
    Map(Vec<(usize, usize)>),
}

#[derive(Debug, Clone)]
pub(super) struct Node {
    pub(super) kind: Kind,
    pub(super) tag: NodeTag,
    pub(super) mark: Mark,
    pub(super) complete: bool,
    pub(super) anchored: bool,
}

pub(super) enum Frame {
    Seq(usize),
    Map(usize, Option<usize>),
}

#[derive(Default)]
pub(super) struct Composer {
    pub(super) nodes: Vec<Node>,
    pub(super) anchors: HashMap<usize, usize>,
    pub(super) stack: Vec<Frame>,
    pub(super) root: Option<usize>,
    pub(super) blocks: BlockScalars,
}

pub(super) fn full_tag(tag: Option<&Tag>) -> Option<String> {
    tag.map(|t| format!("{}{}", t.handle, t.suffix))
}

impl Composer {
    pub(super) fn compose(&mut self, text: &str) -> Result<Option<usize>, YamlError> {
        let mut parser = Parser::new_from_str(text);
        let mut documents = 0;
        loop {
            let (event, marker) = parser.next_token().map_err(|e| YamlError::scan(&e))?;
            let mark = Mark::from(marker);
            match event {
                Event::StreamEnd => break,
                Event::DocumentStart => {
                    documents += 1;
                    if documents > 1 {
                        return Err(YamlError::at(
                            mark,
                            "expected a single document in the stream but found another document",
                        ));
                    }
                }
                Event::Alias(id) => {
                    let Some(&node) = self.anchors.get(&id) else {
                        return Err(YamlError::at(mark, "found undefined alias"));
                    };
                    if !self.nodes.get(node).is_some_and(|n| n.complete) {
                        return Err(YamlError::at(mark, "found a recursive alias (unsupported)"));
                    }
                    self.attach(node, mark)?;
                }
                Event::Scalar(value, style, anchor, tag) => {
                    let value = if matches!(style, TScalarStyle::Literal | TScalarStyle::Folded) {
                        match self.blocks.get(&marker.index()) {
                            Some(Some(v)) => v.clone(),
                            _ => {
                                return Err(YamlError::at(
                                    mark,
                                    "a block scalar PyYAML reads differently",
                                ));
                            }
                        }
                    } else {
                        value
                    };
                    let tag = full_tag(tag.as_ref());
                    let node_tag = match tag.as_deref() {
                        None if style == TScalarStyle::Plain => resolve(&value),
                        None => NodeTag::Str,
                        Some("!") => resolve(&value),
                        Some(t) => explicit_tag(t),
                    };
                    let idx = self.push(Kind::Scalar(value), node_tag, mark, true, anchor);
                    self.attach(idx, mark)?;
                }
                Event::SequenceStart(anchor, tag) => {
                    let tag = full_tag(tag.as_ref());
                    let node_tag = match tag.as_deref() {
                        None | Some("!") => NodeTag::Seq,
                        Some(t) => explicit_tag(t),
                    };
                    let idx = self.push(Kind::Seq(Vec::new()), node_tag, mark, false, anchor);
                    self.attach(idx, mark)?;
                    self.open(Frame::Seq(idx), mark)?;
                }
                Event::MappingStart(anchor, tag) => {
                    let tag = full_tag(tag.as_ref());
                    let node_tag = match tag.as_deref() {
                        None | Some("!") => NodeTag::Map,
                        Some(t) => explicit_tag(t),
                    };
                    let idx = self.push(Kind::Map(Vec::new()), node_tag, mark, false, anchor);
                    self.attach(idx, mark)?;
                    self.open(Frame::Map(idx, None), mark)?;
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    if let Some(Frame::Seq(idx) | Frame::Map(idx, _)) = self.stack.pop() {
                        if let Some(node) = self.nodes.get_mut(idx) {
                            node.complete = true;
                        }
                    }
                }
                Event::Nothing | Event::StreamStart | Event::DocumentEnd => {}
            }
        }
        Ok(self.root)
    }

    fn push(
        &mut self,
        kind: Kind,
        tag: NodeTag,
        mark: Mark,
        complete: bool,
        anchor: usize,
    ) -> usize {
        let idx = self.nodes.len();
        self.nodes.push(Node {
            kind,
            tag,
            mark,
            complete,
            anchored: anchor != 0,
        });
        if anchor != 0 {
            self.anchors.insert(anchor, idx);
        }
        idx
    }

    fn open(&mut self, frame: Frame, mark: Mark) -> Result<(), YamlError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(YamlError::at(
                mark,
                format!("collections nested deeper than {MAX_DEPTH} levels"),
            ));
        }
        self.stack.push(frame);
        Ok(())
    }

    fn attach(&mut self, idx: usize, mark: Mark) -> Result<(), YamlError> {
        match self.stack.last_mut() {
            None => {
                if self.root.is_some() {
                    return Err(YamlError::at(
                        mark,
                        "expected a single document in the stream",
                    ));
                }
                self.root = Some(idx);
            }
            Some(Frame::Seq(parent)) => {
                if let Some(Node {
                    kind: Kind::Seq(items),
                    ..
                }) = self.nodes.get_mut(*parent)
                {
                    items.push(idx);
                }
            }
            Some(Frame::Map(parent, pending)) => match pending.take() {
                None => *pending = Some(idx),
                Some(key) => {
                    if let Some(Node {
                        kind: Kind::Map(pairs),
                        ..
                    }) = self.nodes.get_mut(*parent)
                    {
                        pairs.push((key, idx));
                    }
                }
            },
        }
        Ok(())
    }
}
