// `scribe plot LOG`: training curves (training loss, and a speaker-adversarial run's speaker loss; validation loss,
// CER and WER) against steps, as an SVG.
import ArgumentParser
import Foundation
import Model
import Training

struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Draw the training curves of a train.log.jsonl as an SVG image.")

    @Argument(help: "Training log (OUT/train.log.jsonl).") var log: String
    @Option(name: .shortAndLong, help: "SVG file to write (default: LOG with .svg).") var out: String?

    func run() throws {
        let entries = try TrainingLog.read(log)
        let train = entries.filter { $0.kind == "train" && $0.loss != nil }.map { (Double($0.step), $0.loss!) }
        let valid = entries.filter { $0.kind == "valid" }
        guard !train.isEmpty || !valid.isEmpty else { throw ValidationError("\(log): no entries to plot") }
        // A speaker-adversarial run's total holds its speaker classifier's loss: drawn too, so the two can be told apart.
        let speaker = entries.filter { $0.kind == "train" }.compactMap { e in e.speaker.map { (Double(e.step), $0) } }
        let left = Panel(title: "loss", series: [("train loss", "#1f77b4", train),
                                                  ("valid loss", "#ff7f0e", valid.compactMap { e in e.validLoss.map { (Double(e.step), $0) } }),
                                                  ("speaker loss (in train loss)", "#7f7f7f", speaker)])
        // One CER and one WER line per validation search: a run resumed with another --valid-beam has two kinds.
        var searches = [String?]()
        for e in valid where !searches.contains(e.search) { searches.append(e.search) }
        let cerColors = ["#2ca02c", "#17becf", "#bcbd22"], werColors = ["#d62728", "#9467bd", "#8c564b"]
        var rates = [(String, String, [(Double, Double)])]()
        for (k, search) in searches.enumerated() {
            let group = valid.filter { $0.search == search }
            let label = searches.count > 1 || search != nil ? " (\(search ?? "search not logged"))" : ""
            rates.append(("CER" + label, cerColors[k % 3], group.compactMap { e in e.cer.map { (Double(e.step), 100 * $0) } }))
            rates.append(("WER" + label, werColors[k % 3], group.compactMap { e in e.wer.map { (Double(e.step), 100 * $0) } }))
        }
        let right = Panel(title: "validation error rate (%)", series: rates)
        var svg = #"<svg xmlns="http://www.w3.org/2000/svg" width="1000" height="400" font-family="sans-serif" font-size="12">"#
        svg += #"<rect width="1000" height="400" fill="white"/>"#
        svg += left.render(x: 60, y: 30, w: 400, h: 310)
        svg += right.render(x: 560, y: 30, w: 400, h: 310)
        svg += "</svg>\n"
        let path = out ?? (log.hasSuffix(".jsonl") ? String(log.dropLast(6)) : log) + ".svg"
        try ModelDirectory.atomicWrite(Data(svg.utf8), to: path)
        print("wrote \(path): \(train.count) training points, \(valid.count) validations")
    }
}

/// One chart: axes with ticks, a polyline per series, a legend.
struct Panel {
    let title: String
    let series: [(String, String, [(Double, Double)])]

    func render(x: Double, y: Double, w: Double, h: Double) -> String {
        let points = series.flatMap(\.2)
        guard !points.isEmpty else { return "" }
        let x0 = points.map(\.0).min()!, x1 = max(points.map(\.0).max()!, x0 + 1)
        let y0 = min(0, points.map(\.1).min()!), y1 = max(points.map(\.1).max()!, y0 + 1e-6)
        func px(_ v: Double) -> Double { x + (v - x0) / (x1 - x0) * w }
        func py(_ v: Double) -> Double { y + h - (v - y0) / (y1 - y0) * h }
        var s = "<text x=\"\(x + w / 2)\" y=\"\(y - 10)\" text-anchor=\"middle\" font-size=\"14\">\(title)</text>"
        s += "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(w)\" height=\"\(h)\" fill=\"none\" stroke=\"#444\"/>"
        for i in 0...4 {
            let vy = y0 + (y1 - y0) * Double(i) / 4, vx = x0 + (x1 - x0) * Double(i) / 4
            s += "<line x1=\"\(x)\" x2=\"\(x + w)\" y1=\"\(py(vy))\" y2=\"\(py(vy))\" stroke=\"#ddd\"/>"
            s += "<text x=\"\(x - 6)\" y=\"\(py(vy) + 4)\" text-anchor=\"end\">\(String(format: "%.3g", vy))</text>"
            s += "<text x=\"\(px(vx))\" y=\"\(y + h + 16)\" text-anchor=\"middle\">\(Int(vx))</text>"
        }
        s += "<text x=\"\(x + w / 2)\" y=\"\(y + h + 34)\" text-anchor=\"middle\">step</text>"
        let legend = x + w - 28 - 6.5 * Double(series.map(\.0.count).max() ?? 0)   // wide enough for the longest name
        for (k, (name, color, pts)) in series.enumerated() where !pts.isEmpty {
            let path = pts.map { String(format: "%.1f,%.1f", px($0.0), py($0.1)) }.joined(separator: " ")
            s += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\" points=\"\(path)\"/>"
            if pts.count <= 40 { for p in pts { s += "<circle cx=\"\(px(p.0))\" cy=\"\(py(p.1))\" r=\"2.5\" fill=\"\(color)\"/>" } }
            s += "<rect x=\"\(legend)\" y=\"\(y + 10 + Double(k) * 18)\" width=\"12\" height=\"3\" fill=\"\(color)\"/>"
            s += "<text x=\"\(legend + 18)\" y=\"\(y + 15 + Double(k) * 18)\">\(name)</text>"
        }
        return s
    }
}
