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

/// The six-digit code both handover screens show, very large, for two people to compare aloud.
/// Digits read left to right in every language; VoiceOver reads them one by one.
struct SasText: View {
    let sas: String
    init(_ sas: String) { self.sas = sas }

    var body: some View {
        Text(sas)
            .font(.system(size: 44, weight: .bold, design: .monospaced))
            .foregroundColor(Palette.ink)
            .frame(maxWidth: .infinity)
            .environment(\.layoutDirection, .leftToRight)
            .accessibilityLabel(sas.map { String($0) }.joined(separator: " "))
            .padding(.top, 12)
    }
}
