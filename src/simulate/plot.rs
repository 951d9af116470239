//! `simulate --plot FILE.svg`: each run's ELBv2 calls per second by action, the targets pending in every run,
//! the lower bound and each run's completion, over simulated time, drawn with plotters' SVG backend.

use std::path::Path;

use anyhow::Context;
use plotters::chart::SeriesAnno;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use tgsync_loadtest::RunReport;

/// What the figure says beside the runs.
pub struct Frame {
    /// The figure's title: the scenario and its size.
    pub title: String,
    /// The refill per second of the bucket RegisterTargets and DeregisterTargets share, drawn as a reference.
    pub refill_per_s: f64,
}

const WIDTH: u32 = 1200;
/// Height of one panel: a run's calls, or the pending targets.
const PANEL: u32 = 340;
const TITLE: u32 = 44;
const FONT: &str = "sans-serif";

const GREY: RGBColor = RGBColor(110, 110, 110);
const THROTTLED: RGBColor = RGBColor(235, 140, 0);

/// The colour of an API action's lines: registrations green, deregistrations red, reads blue and purple.
fn action_colour(action: &str) -> RGBColor {
    match action {
        "RegisterTargets" => RGBColor(0, 140, 70),
        "DeregisterTargets" => RGBColor(205, 40, 40),
        "DescribeTargetHealth" => RGBColor(40, 90, 210),
        "DescribeTargetGroups" => RGBColor(140, 60, 180),
        _ => GREY,
    }
}

/// Writes the figure of `runs` (tgsync first, then the baseline if compared) to `path`.
pub fn write_svg(path: &Path, runs: &[RunReport], frame: &Frame) -> anyhow::Result<()> {
    anyhow::ensure!(!runs.is_empty(), "no run to plot");
    draw(path, runs, frame).with_context(|| format!("cannot draw {}", path.display()))
}

fn draw(path: &Path, runs: &[RunReport], frame: &Frame) -> anyhow::Result<()> {
    let height = TITLE + PANEL * (runs.len() as u32 + 1);
    let root = SVGBackend::new(path, (WIDTH, height)).into_drawing_area();
    root.fill(&WHITE)?;
    let root = root.titled(&frame.title, (FONT, 24))?;
    let panels = root.split_evenly((runs.len() + 1, 1));
    let x_max = x_extent(runs);
    // One scale for every run's calls, so the panels compare at a glance.
    let calls_max = runs
        .iter()
        .flat_map(|r| {
            stacked(&r.timeline.calls)
                .last()
                .cloned()
                .unwrap_or_default()
                .1
        })
        .max()
        .unwrap_or(0);
    let y_max = (f64::from(calls_max).max(frame.refill_per_s) * 1.15).max(1.0);
    for (run, area) in runs.iter().zip(&panels) {
        calls_panel(area, run, (x_max, y_max), frame)?;
    }
    pending_panel(&panels[runs.len()], runs, x_max)?;
    root.present()?;
    Ok(())
}

/// Seconds the x axis spans: every series, completion and bound, with a little room on the right.
fn x_extent(runs: &[RunReport]) -> f64 {
    let end = runs
        .iter()
        .flat_map(|r| {
            [
                r.timeline.seconds() as f64,
                r.completion_seconds.unwrap_or(0.0),
                r.lower_bound_seconds,
            ]
        })
        .fold(1.0, f64::max);
    end * 1.03
}

/// A per-second series as steps: each count held level across its second.
fn steps(series: &[u32]) -> Vec<(f64, f64)> {
    series
        .iter()
        .enumerate()
        .flat_map(|(k, &n)| [(k as f64, f64::from(n)), (k as f64 + 1.0, f64::from(n))])
        .collect()
}

/// Where an action sits in the stack: the mutating calls at the bottom, so their top reads against the
/// refill they share, then the reads.
fn stack_rank(action: &str) -> usize {
    [
        "RegisterTargets",
        "DeregisterTargets",
        "DescribeTargetHealth",
        "DescribeTargetGroups",
    ]
    .iter()
    .position(|a| *a == action)
    .unwrap_or(usize::MAX)
}

/// Each action with the running total of calls per second up to and including it, bottom layer first.
fn stacked(calls: &std::collections::BTreeMap<String, Vec<u32>>) -> Vec<(&str, Vec<u32>)> {
    let mut actions: Vec<(&str, &Vec<u32>)> = calls.iter().map(|(a, s)| (a.as_str(), s)).collect();
    actions.sort_by_key(|(a, _)| (stack_rank(a), *a));
    let mut total: Vec<u32> = Vec::new();
    actions
        .into_iter()
        .map(|(a, series)| {
            total.resize(total.len().max(series.len()), 0);
            for (t, n) in total.iter_mut().zip(series) {
                *t += n;
            }
            (a, total.clone())
        })
        .collect()
}

/// The axes and their labels (whole numbers: counts) of a panel.
fn axes<'a, 'b: 'a>(chart: &mut Chart<'a, 'b>, y_desc: &str) -> anyhow::Result<()> {
    chart
        .configure_mesh()
        .light_line_style(WHITE)
        .x_desc("simulated seconds from the scenario's start")
        .y_desc(y_desc)
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| format!("{y:.0}"))
        .label_style((FONT, 14))
        .draw()?;
    Ok(())
}

/// One run's calls per second by action, its throttled calls, the refill, the bound and its completion.
fn calls_panel(
    area: &DrawingArea<SVGBackend<'_>, Shift>,
    run: &RunReport,
    (x_max, y_max): (f64, f64),
    frame: &Frame,
) -> anyhow::Result<()> {
    let caption = format!(
        "{}: ELBv2 calls per second, stacked by action ({} calls, {} throttled)",
        run.strategy, run.total_calls, run.throttled
    );
    let mut chart = ChartBuilder::on(area)
        .caption(caption, (FONT, 18))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(56)
        .build_cartesian_2d(0.0..x_max, 0.0..y_max)?;
    axes(&mut chart, "calls / s")?;
    let mut below = steps(&vec![0; run.timeline.seconds()]);
    for (action, total) in stacked(&run.timeline.calls) {
        let colour = action_colour(action);
        let top = steps(&total);
        // The layer between the running totals below and with this action.
        let outline: Vec<(f64, f64)> = top.iter().chain(below.iter().rev()).copied().collect();
        chart
            .draw_series([Polygon::new(outline, colour.mix(0.45).filled())])?
            .label(action)
            .legend(move |(x, y)| {
                Rectangle::new([(x, y - 6), (x + 24, y + 6)], colour.mix(0.45).filled())
            });
        chart.draw_series(LineSeries::new(top.clone(), colour.stroke_width(1)))?;
        below = top;
    }
    if run.throttled > 0 {
        chart
            .draw_series(LineSeries::new(
                steps(&run.timeline.throttled),
                THROTTLED.stroke_width(2),
            ))?
            .label("of which throttled")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 24, y)], THROTTLED.stroke_width(2)));
    }
    let refill = frame.refill_per_s;
    chart
        .draw_series(DashedLineSeries::new(
            [(0.0, refill), (x_max, refill)],
            3,
            5,
            GREY.into(),
        ))?
        .label(format!("AWS refill, Register + Deregister: {refill}/s"))
        .legend(|(x, y)| DashedPathElement::new([(x, y), (x + 24, y)], 3, 5, GREY));
    markers(&mut chart, std::slice::from_ref(run), y_max)?;
    legend(&mut chart)
}

/// Targets pending registration and deregistration in every run (the baseline's dashed).
fn pending_panel(
    area: &DrawingArea<SVGBackend<'_>, Shift>,
    runs: &[RunReport],
    x_max: f64,
) -> anyhow::Result<()> {
    let top = runs
        .iter()
        .flat_map(|r| [&r.timeline.pending_register, &r.timeline.pending_deregister])
        .flatten()
        .copied()
        .max()
        .unwrap_or(0);
    let y_max = (f64::from(top) * 1.15).max(1.0);
    let mut chart = ChartBuilder::on(area)
        .caption("Targets pending (wanted ≠ registered in ELB)", (FONT, 18))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(56)
        .build_cartesian_2d(0.0..x_max, 0.0..y_max)?;
    axes(&mut chart, "targets")?;
    for (i, run) in runs.iter().enumerate() {
        let dashed = i > 0;
        for (what, series, colour) in [
            (
                "registration",
                &run.timeline.pending_register,
                action_colour("RegisterTargets"),
            ),
            (
                "deregistration",
                &run.timeline.pending_deregister,
                action_colour("DeregisterTargets"),
            ),
        ] {
            let points: Vec<(f64, f64)> = series
                .iter()
                .enumerate()
                .map(|(k, &n)| (k as f64, f64::from(n)))
                .collect();
            let label = format!("{}: pending {what}", run.strategy);
            let style = colour.stroke_width(2);
            line(&mut chart, points, style, dashed)?
                .label(label)
                .legend(move |(x, y)| legend_line(x, y, style, dashed));
        }
    }
    markers(&mut chart, runs, y_max)?;
    legend(&mut chart)
}

type Chart<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Draws `points` solid, or dashed for a second run.
fn line<'c, 'a, 'b: 'a>(
    chart: &'c mut Chart<'a, 'b>,
    points: Vec<(f64, f64)>,
    style: ShapeStyle,
    dashed: bool,
) -> anyhow::Result<&'c mut SeriesAnno<'a, SVGBackend<'b>>> {
    Ok(if dashed {
        chart.draw_series(DashedLineSeries::new(points, 8, 5, style))?
    } else {
        chart.draw_series(LineSeries::new(points, style))?
    })
}

/// A legend's sample of a line drawn by [`line`].
fn legend_line<DB: DrawingBackend>(
    x: i32,
    y: i32,
    style: ShapeStyle,
    dashed: bool,
) -> DynElement<'static, DB, (i32, i32)> {
    if dashed {
        DashedPathElement::new(vec![(x, y), (x + 24, y)], 8, 5, style).into_dyn()
    } else {
        PathElement::new(vec![(x, y), (x + 24, y)], style).into_dyn()
    }
}

/// The lower bound (the first run's: every run of a scenario shares it) and each run's completion, upright.
fn markers<'a, 'b: 'a>(
    chart: &mut Chart<'a, 'b>,
    runs: &[RunReport],
    y_max: f64,
) -> anyhow::Result<()> {
    let bound = runs[0].lower_bound_seconds;
    chart
        .draw_series(DashedLineSeries::new(
            [(bound, 0.0), (bound, y_max)],
            4,
            4,
            BLACK.stroke_width(2),
        ))?
        .label(format!("lower bound: {bound:.1} s"))
        .legend(|(x, y)| {
            DashedPathElement::new([(x, y), (x + 24, y)], 4, 4, BLACK.stroke_width(2))
        });
    for (i, run) in runs.iter().enumerate() {
        let Some(done) = run.completion_seconds else {
            continue;
        };
        let style = GREY.stroke_width(2);
        let dashed = i > 0;
        line(chart, vec![(done, 0.0), (done, y_max)], style, dashed)?
            .label(format!("{} done: {done:.1} s", run.strategy))
            .legend(move |(x, y)| legend_line(x, y, style, dashed));
    }
    Ok(())
}

fn legend<'a, 'b: 'a>(chart: &mut Chart<'a, 'b>) -> anyhow::Result<()> {
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE)
        .border_style(GREY)
        .label_font((FONT, 14))
        .draw()?;
    Ok(())
}
