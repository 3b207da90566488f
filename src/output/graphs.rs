//! `socsim graph`: the social graph and the follow graph of a world on a chosen day, for
//! Gephi, networkx or igraph, as GraphML, DOT or CSV edge lists.
//!
//! Both graphs are built as petgraph graphs, node index = the id in the files: the social
//! graph (undirected) has a node a consumer; the follow graph (directed, consumer → account)
//! has the consumers first, then the creators and hosts. DOT is petgraph's writer; GraphML is
//! written here (petgraph's GraphML crate types every attribute as a string and orders the
//! keys by a hash, so its bytes change from run to run). Every file is deterministic.

use crate::error::{Error, Result};
use crate::world::World;
use petgraph::Direction;
use petgraph::dot::{Config, Dot};
use petgraph::graph::{DiGraph, NodeIndex, UnGraph};
use std::fmt::Write as _;
use std::path::Path;

/// The file format of `socsim graph --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// GraphML (Gephi, networkx's read_graphml, igraph): social.graphml and follow.graphml.
    Graphml,
    /// Graphviz DOT: social.dot and follow.dot.
    Dot,
    /// CSV: social_edges.csv, follow_edges.csv, consumers.csv and accounts.csv.
    Csv,
}

impl Format {
    /// The files this format writes.
    pub fn files(self) -> &'static [&'static str] {
        match self {
            Format::Graphml => &["social.graphml", "follow.graphml"],
            Format::Dot => &["social.dot", "follow.dot"],
            Format::Csv => &[
                "social_edges.csv",
                "follow_edges.csv",
                "consumers.csv",
                "accounts.csv",
            ],
        }
    }
}

/// A node of either graph.
#[derive(Clone, Debug)]
pub enum Node {
    Consumer {
        id: u32,
        community: u32,
    },
    Account {
        id: u32,
        kind: &'static str,
        topic: u32,
        active: bool,
    },
}

/// The social graph: one node a consumer (index = consumer id), one edge a friendship.
pub fn social(world: &World) -> UnGraph<Node, ()> {
    let n = world.consumers.len();
    let mut g = UnGraph::with_capacity(n, world.social.edge_count());
    for i in 0..n {
        g.add_node(Node::Consumer {
            id: i as u32,
            community: world.consumers.community[i],
        });
    }
    for (u, v) in world.social.edges() {
        g.add_edge(NodeIndex::new(u as usize), NodeIndex::new(v as usize), ());
    }
    g
}

/// The follow graph: consumers (index = id), then accounts (index = consumers + account id);
/// an edge from each consumer to each account it follows, oldest follow first.
pub fn follow(world: &World) -> DiGraph<Node, ()> {
    let (n, cr) = (world.consumers.len(), &world.creators);
    let edges: usize = (0..n).map(|i| world.consumers.followed(i).len()).sum();
    let mut g = DiGraph::with_capacity(n + cr.len(), edges);
    for i in 0..n {
        g.add_node(Node::Consumer {
            id: i as u32,
            community: world.consumers.community[i],
        });
    }
    for c in 0..cr.len() {
        g.add_node(Node::Account {
            id: c as u32,
            kind: cr.kind[c].as_str(),
            topic: cr.topic[c],
            active: cr.active[c],
        });
    }
    for i in 0..n {
        for &c in world.consumers.followed(i) {
            g.add_edge(NodeIndex::new(i), NodeIndex::new(n + c as usize), ());
        }
    }
    g
}

/// A node's attributes: (name, GraphML type, value).
fn attributes(node: &Node) -> Vec<(&'static str, &'static str, String)> {
    match node {
        Node::Consumer { id, community } => vec![
            ("kind", "string", "consumer".into()),
            ("id", "long", id.to_string()),
            ("community", "long", community.to_string()),
        ],
        Node::Account {
            id,
            kind,
            topic,
            active,
        } => vec![
            ("kind", "string", kind.to_string()),
            ("id", "long", id.to_string()),
            ("topic", "long", topic.to_string()),
            ("active", "boolean", active.to_string()),
        ],
    }
}

/// GraphML text of a petgraph graph: typed node attributes (the keys in a fixed order), node
/// ids `n<index>`, one edge element an edge.
fn graphml<Ty: petgraph::EdgeType>(g: &petgraph::Graph<Node, (), Ty>) -> String {
    // The consumers' attributes, then the accounts' where the graph has accounts.
    let mut keys = vec![("kind", "string"), ("id", "long"), ("community", "long")];
    if g.node_weights().any(|n| matches!(n, Node::Account { .. })) {
        keys.extend([("topic", "long"), ("active", "boolean")]);
    }
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n",
    );
    for (name, ty) in &keys {
        let _ = writeln!(
            out,
            "  <key id=\"{name}\" for=\"node\" attr.name=\"{name}\" attr.type=\"{ty}\"/>"
        );
    }
    let direction = if g.is_directed() {
        "directed"
    } else {
        "undirected"
    };
    let _ = writeln!(out, "  <graph id=\"G\" edgedefault=\"{direction}\">");
    for index in g.node_indices() {
        let _ = write!(out, "    <node id=\"n{}\">", index.index());
        for (name, _, value) in attributes(&g[index]) {
            let _ = write!(out, "<data key=\"{name}\">{value}</data>");
        }
        out.push_str("</node>\n");
    }
    for e in g.raw_edges() {
        let _ = writeln!(
            out,
            "    <edge source=\"n{}\" target=\"n{}\"/>",
            e.source().index(),
            e.target().index()
        );
    }
    out.push_str("  </graph>\n</graphml>\n");
    out
}

/// DOT text of a petgraph graph (petgraph's writer), the attributes as node attributes.
fn dot<Ty: petgraph::EdgeType>(g: &petgraph::Graph<Node, (), Ty>) -> String {
    let node = |_: &petgraph::Graph<Node, (), Ty>, (_, w): (NodeIndex, &Node)| {
        attributes(w)
            .into_iter()
            .map(|(name, _, value)| format!("{name}=\"{value}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "{:?}",
        Dot::with_attr_getters(
            g,
            &[Config::EdgeNoLabel, Config::NodeNoLabel],
            &|_, _| String::new(),
            &node,
        )
    )
}

/// Writes the graphs of `world` in `format` into folder `dir`.
pub fn write(world: &World, format: Format, dir: &Path) -> Result<()> {
    let social = social(world);
    let follow = follow(world);
    let put = |name: &str, text: String| super::write_atomic(&dir.join(name), text.as_bytes());
    match format {
        Format::Graphml => {
            put("social.graphml", graphml(&social))?;
            put("follow.graphml", graphml(&follow))
        }
        Format::Dot => {
            put("social.dot", dot(&social))?;
            put("follow.dot", dot(&follow))
        }
        Format::Csv => {
            let mut text = String::from("consumer_a,consumer_b\n");
            for e in social.raw_edges() {
                let _ = writeln!(text, "{},{}", e.source().index(), e.target().index());
            }
            put("social_edges.csv", text)?;
            let n = world.consumers.len();
            let mut text = String::from("consumer,account\n");
            for e in follow.raw_edges() {
                let _ = writeln!(text, "{},{}", e.source().index(), e.target().index() - n);
            }
            put("follow_edges.csv", text)?;
            let mut text = String::from("consumer,community,friends,follows\n");
            for i in 0..n {
                let index = NodeIndex::new(i);
                let _ = writeln!(
                    text,
                    "{i},{},{},{}",
                    world.consumers.community[i],
                    social.neighbors(index).count(),
                    follow
                        .neighbors_directed(index, Direction::Outgoing)
                        .count()
                );
            }
            put("consumers.csv", text)?;
            let mut text = String::from("account,kind,topic,active,followers\n");
            for c in 0..world.creators.len() {
                let Node::Account {
                    kind,
                    topic,
                    active,
                    ..
                } = follow[NodeIndex::new(n + c)]
                else {
                    return Err(Error::Run("follow graph: account node expected".into()));
                };
                let followers = follow
                    .neighbors_directed(NodeIndex::new(n + c), Direction::Incoming)
                    .count();
                let _ = writeln!(text, "{c},{kind},{topic},{active},{followers}");
            }
            put("accounts.csv", text)
        }
    }
}
