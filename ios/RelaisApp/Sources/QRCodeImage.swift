import CoreGraphics
import Foundation
import Relais
import SwiftUI

/// Draws the core's QR matrices (receiver keys, handover frames, acknowledgements) for a camera to
/// read well: dark modules on white, a quiet zone of four light modules all round, and modules
/// with sharp edges. (Mirrors the Android `QrBitmaps`.)
enum QRDrawing {
    /// Light modules around the symbol, as the QR standard asks.
    static let quiet = 4

    /// Modules across the drawn picture, quiet zone included.
    static func span(_ matrix: QrMatrix) -> Int {
        Int(matrix.size) + 2 * quiet
    }

    /// The matrix at one pixel per module, quiet zone included, in 8-bit grey; nil for a matrix
    /// whose modules do not fill its size (never from the core). The view scales it up without
    /// smoothing. Safe on any thread: the handover frames are drawn off the main thread.
    static func cgImage(_ matrix: QrMatrix) -> CGImage? {
        let size = Int(matrix.size)
        let side = span(matrix)
        guard size > 0, matrix.modules.count == size * size else { return nil }
        var pixels = [UInt8](repeating: 255, count: side * side)
        for y in 0..<size {
            for x in 0..<size where matrix.isDark(x: x, y: y) {
                pixels[(y + quiet) * side + x + quiet] = 0
            }
        }
        guard let provider = CGDataProvider(data: Data(pixels) as CFData) else { return nil }
        return CGImage(
            width: side, height: side, bitsPerComponent: 8, bitsPerPixel: 8, bytesPerRow: side,
            space: CGColorSpaceCreateDeviceGray(), bitmapInfo: CGBitmapInfo(rawValue: CGImageAlphaInfo.none.rawValue),
            provider: provider, decode: nil, shouldInterpolate: false, intent: .defaultIntent
        )
    }

    /// The side, in points, at which [modules] modules get a whole number of screen pixels each
    /// and fit in [maxPoints]: no module one pixel wider than its neighbour.
    static func side(modules: Int, maxPoints: CGFloat, scale: CGFloat) -> CGFloat {
        guard modules > 0, scale > 0 else { return maxPoints }
        let pixelsPerModule = max(1, (maxPoints * scale / CGFloat(modules)).rounded(.down))
        return pixelsPerModule * CGFloat(modules) / scale
    }
}

/// A QR code on screen, as wide as its place allows (at most 480 points, for iPads) with a whole
/// number of screen pixels per module, on white, hidden from VoiceOver (it reads the text around
/// it instead).
struct QRCodeImage: View {
    let image: CGImage
    @Environment(\.displayScale) private var displayScale

    var body: some View {
        // A square as wide as the column; the code inside it at the largest whole-pixel size.
        Color.white
            .aspectRatio(1, contentMode: .fit)
            .frame(maxWidth: 480)
            .overlay(
                GeometryReader { place in
                    let side = QRDrawing.side(
                        modules: image.width, maxPoints: min(place.size.width, place.size.height), scale: displayScale
                    )
                    Image(decorative: image, scale: 1)
                        .resizable()
                        .interpolation(.none)
                        .frame(width: side, height: side)
                        .frame(width: place.size.width, height: place.size.height)
                }
            )
            .frame(maxWidth: .infinity)
            .accessibilityHidden(true)
    }
}

/// A device's fingerprint as both handover screens show it: 30 digits in six groups of five, two
/// groups a line, large, so that two people compare them group by group. Digits read left to
/// right in every language; VoiceOver reads them one by one, a pause between groups.
struct FingerprintText: View {
    let fingerprint: String
    var size: CGFloat = 30
    init(_ fingerprint: String, size: CGFloat = 30) {
        self.fingerprint = fingerprint
        self.size = size
    }

    var body: some View {
        Text(TrustFormat.lines(fingerprint))
            .font(.system(size: size, weight: .bold, design: .monospaced))
            .foregroundColor(Palette.ink)
            .multilineTextAlignment(.center)
            .frame(maxWidth: .infinity)
            .environment(\.layoutDirection, .leftToRight)
            .accessibilityLabel(TrustFormat.spoken(fingerprint))
            .padding(.top, 8)
    }
}

/// How fingerprints and trust dates are written (the same as on Android's `Trust`).
enum TrustFormat {
    /// The six groups, two to a line.
    static func lines(_ fingerprint: String) -> String {
        let groups = fingerprint.split(separator: " ").map(String.init)
        return stride(from: 0, to: groups.count, by: 2)
            .map { groups[$0..<min($0 + 2, groups.count)].joined(separator: " ") }
            .joined(separator: "\n")
    }

    /// Each digit on its own, a pause between groups: what VoiceOver reads.
    static func spoken(_ fingerprint: String) -> String {
        fingerprint.split(separator: " ").map { $0.map { String($0) }.joined(separator: " ") }.joined(separator: ", ")
    }

    static func date(_ seconds: Int64) -> String {
        DateFormatter.localizedString(from: Date(timeIntervalSince1970: TimeInterval(seconds)), dateStyle: .medium, timeStyle: .none)
    }
}
