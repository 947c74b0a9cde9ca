import AVFoundation
import Foundation
import SwiftUI
import UIKit

/// What the camera is doing, for the line under its preview.
enum CameraState: Equatable {
    case off, starting, scanning, denied, noCamera, failed
    /// A call or another app has the camera for now; it comes back by itself.
    case interrupted
    /// iPad Split View or Slide Over: the camera runs only with the app in full screen.
    case fullScreenOnly
}

/// The back camera as a QR reader for the handover screens. AVFoundation finds and reads the QR
/// codes (`AVCaptureMetadataOutput`); the texts go to [onText] on the main thread, which hands them
/// to the core (`HandoverReceiver.scanText`, or the sender's key and acknowledgement). A text read
/// again in the very next frames is passed on once. No image is stored or kept: the session has no
/// photo or video output. (The Android app reads camera2 frames with the core's decoder instead.)
///
/// Starting and stopping the session block, so they run on the capture queue, in order; every
/// start and stop is numbered, and the outcome of a start that a later call overtook is dropped.
@MainActor
final class QRScanner: ObservableObject {
    @Published private(set) var state: CameraState = .off

    /// One decoded QR text; set by the screen that owns the scanner.
    var onText: (String) -> Void = { _ in }

    let capture = CameraCapture()
    private var wanted = false
    private var generation = 0
    private var lastText: String?
    private var observers: [NSObjectProtocol] = []

    init() {
        capture.onTexts = { [weak self] texts in
            Task { @MainActor [weak self] in self?.deliver(texts) }
        }
        let center = NotificationCenter.default
        observers.append(center.addObserver(forName: .AVCaptureSessionWasInterrupted, object: capture.session, queue: .main) { [weak self] note in
            let reason = note.userInfo?[AVCaptureSessionInterruptionReasonKey] as? Int
            Task { @MainActor [weak self] in self?.interrupted(reason: reason) }
        })
        observers.append(center.addObserver(forName: .AVCaptureSessionInterruptionEnded, object: capture.session, queue: .main) { [weak self] _ in
            Task { @MainActor [weak self] in self?.resumed() }
        })
        observers.append(center.addObserver(forName: .AVCaptureSessionRuntimeError, object: capture.session, queue: .main) { [weak self] _ in
            Task { @MainActor [weak self] in self?.broke() }
        })
    }

    deinit {
        observers.forEach { NotificationCenter.default.removeObserver($0) }
        capture.stop()
    }

    /// Starts the preview and reading; asks for the camera the first time.
    func start() {
        wanted = true
        lastText = nil
        if state == .starting || state == .scanning || state == .interrupted { return }
        switch AVCaptureDevice.authorizationStatus(for: .video) {
        case .authorized:
            run()
        case .notDetermined:
            state = .starting
            AVCaptureDevice.requestAccess(for: .video) { [weak self] granted in
                Task { @MainActor [weak self] in self?.answered(granted) }
            }
        default:
            state = .denied
        }
    }

    /// Stops the camera (the screen moved on or closed).
    func stop() {
        wanted = false
        generation += 1
        lastText = nil
        capture.stop()
        if state != .denied, state != .noCamera { state = .off }
    }

    /// After a failure: close and start again.
    func retry() {
        stop()
        start()
    }

    /// The camera was refused: only the Settings app can allow it now.
    func openSettings() {
        if let url = URL(string: UIApplication.openSettingsURLString) {
            UIApplication.shared.open(url)
        }
    }

    private func answered(_ granted: Bool) {
        guard wanted else {
            state = .off
            return
        }
        if granted {
            state = .off
            run()
        } else {
            state = .denied
        }
    }

    private func run() {
        state = .starting
        generation += 1
        let mine = generation
        capture.start { [weak self] outcome in
            Task { @MainActor [weak self] in self?.started(outcome, generation: mine) }
        }
    }

    private func started(_ outcome: CameraState, generation mine: Int) {
        // Stopped or started again meanwhile: that later call decides.
        guard wanted, mine == generation else { return }
        state = outcome
    }

    private func interrupted(reason: Int?) {
        guard wanted else { return }
        let multitasking = AVCaptureSession.InterruptionReason.videoDeviceNotAvailableWithMultipleForegroundApps.rawValue
        state = reason == multitasking ? .fullScreenOnly : .interrupted
    }

    private func resumed() {
        guard wanted, state == .interrupted || state == .fullScreenOnly else { return }
        state = .scanning
    }

    private func broke() {
        guard wanted else { return }
        state = .failed
    }

    private func deliver(_ texts: [String]) {
        guard wanted, state == .scanning else { return }
        for text in texts where text != lastText {
            lastText = text
            onText(text)
        }
    }
}

/// The capture session, set up once and started and stopped on its own serial queue (both calls
/// block for a while). Its QR metadata is read on the main queue and handed to [onTexts].
final class CameraCapture: NSObject, AVCaptureMetadataOutputObjectsDelegate, @unchecked Sendable {
    let session = AVCaptureSession()
    var onTexts: ([String]) -> Void = { _ in }

    private let queue = DispatchQueue(label: "org.relais.camera", qos: .userInitiated)
    /// Set on `queue` only: the session has its camera and QR output.
    private var ready = false
    /// Set on `queue` only: the camera in the session.
    private var camera: AVCaptureDevice?

    func start(done: @escaping (CameraState) -> Void) {
        queue.async { [self] in
            let outcome: CameraState = ready ? .scanning : configure()
            if outcome == .scanning, !ready, let device = camera {
                Self.focusNear(device)
            }
            ready = outcome == .scanning
            if outcome == .scanning, !session.isRunning {
                session.startRunning()
            }
            done(outcome)
        }
    }

    func stop() {
        queue.async { [session] in
            if session.isRunning {
                session.stopRunning()
            }
        }
    }

    /// The back camera with a QR-only metadata output, at 1280×720 where it can. A set-up that
    /// failed part way is undone by the next attempt (`retry`).
    private func configure() -> CameraState {
        session.beginConfiguration()
        defer { session.commitConfiguration() }
        session.inputs.forEach { session.removeInput($0) }
        session.outputs.forEach { session.removeOutput($0) }
        guard let device = AVCaptureDevice.default(.builtInWideAngleCamera, for: .video, position: .back)
            ?? AVCaptureDevice.default(for: .video)
        else { return .noCamera }
        if session.canSetSessionPreset(.hd1280x720) {
            session.sessionPreset = .hd1280x720
        }
        guard let input = try? AVCaptureDeviceInput(device: device), session.canAddInput(input) else {
            return .failed
        }
        session.addInput(input)
        let output = AVCaptureMetadataOutput()
        guard session.canAddOutput(output) else { return .failed }
        session.addOutput(output)
        output.setMetadataObjectsDelegate(self, queue: .main)
        guard output.availableMetadataObjectTypes.contains(.qr) else { return .failed }
        output.metadataObjectTypes = [.qr]
        camera = device
        return .scanning
    }

    /// Continuous focus, favouring near subjects, and enough zoom for a phone's screen held at a
    /// comfortable distance to be in focus: the main camera of recent iPhones cannot focus closer
    /// than about 20 cm, where a dense handover code is still small in the picture. The zoom is
    /// Apple's AVCamBarcode reckoning: the distance at which a code of [codeMillimetres] fills
    /// [fill] of the picture's width, against the camera's closest focus.
    private static func focusNear(_ device: AVCaptureDevice, codeMillimetres: Float = 50, fill: Float = 0.6) {
        guard (try? device.lockForConfiguration()) != nil else { return }
        defer { device.unlockForConfiguration() }
        if device.isFocusModeSupported(.continuousAutoFocus) {
            device.focusMode = .continuousAutoFocus
        }
        if device.isAutoFocusRangeRestrictionSupported {
            device.autoFocusRangeRestriction = .near
        }
        let closest = Float(device.minimumFocusDistance) // millimetres; -1 when unknown
        let halfView = device.activeFormat.videoFieldOfView / 2 * .pi / 180
        guard closest > 0, halfView > 0 else { return }
        let codeDistance = (codeMillimetres / fill) / tan(halfView)
        if codeDistance < closest {
            let zoom = min(CGFloat(closest / codeDistance), device.activeFormat.videoMaxZoomFactor, 4)
            device.videoZoomFactor = max(1, zoom)
        }
    }

    func metadataOutput(
        _ output: AVCaptureMetadataOutput, didOutput metadataObjects: [AVMetadataObject], from connection: AVCaptureConnection
    ) {
        let texts = metadataObjects.compactMap { ($0 as? AVMetadataMachineReadableCodeObject)?.stringValue }
        if !texts.isEmpty { onTexts(texts) }
    }
}

/// The live preview of a capture session.
struct CameraPreview: UIViewRepresentable {
    let session: AVCaptureSession

    func makeUIView(context: Context) -> PreviewView {
        let view = PreviewView()
        view.previewLayer.session = session
        view.previewLayer.videoGravity = .resizeAspectFill
        return view
    }

    func updateUIView(_ view: PreviewView, context: Context) {}

    final class PreviewView: UIView {
        override class var layerClass: AnyClass { AVCaptureVideoPreviewLayer.self }

        var previewLayer: AVCaptureVideoPreviewLayer {
            // The layer's class is set by `layerClass` just above: the cast cannot fail.
            layer as! AVCaptureVideoPreviewLayer
        }

        /// iPads turn: the preview follows the screen (the app is portrait-only on iPhones).
        override func layoutSubviews() {
            super.layoutSubviews()
            guard let connection = previewLayer.connection, connection.isVideoOrientationSupported,
                  let orientation = window?.windowScene?.interfaceOrientation
            else { return }
            switch orientation {
            case .landscapeLeft: connection.videoOrientation = .landscapeLeft
            case .landscapeRight: connection.videoOrientation = .landscapeRight
            case .portraitUpsideDown: connection.videoOrientation = .portraitUpsideDown
            default: connection.videoOrientation = .portrait
            }
        }
    }
}

/// The camera area of a scanning screen: a line saying what the camera is doing, the preview
/// while it runs, and a button to allow the camera (in Settings) or to try again. The camera
/// runs while this area is on screen.
struct CameraArea: View {
    @EnvironmentObject var model: AppModel
    @ObservedObject var scanner: QRScanner

    var body: some View {
        VStack(alignment: .leading, spacing: 8) {
            Muted(model.t(messageKey))
            if scanner.state == .starting || scanner.state == .scanning || scanner.state == .interrupted {
                CameraPreview(session: scanner.capture.session)
                    .frame(height: 280)
                    .frame(maxWidth: .infinity)
                    .cornerRadius(8)
                    .accessibilityHidden(true)
            }
            if scanner.state == .denied {
                BigButton(model.t("app.camera.allow"), role: .primary) { scanner.openSettings() }
            } else if scanner.state == .failed {
                BigButton(model.t("app.camera.retry"), role: .primary) { scanner.retry() }
            }
        }
        .padding(.top, 12)
        .onAppear { scanner.start() }
        .onDisappear { scanner.stop() }
    }

    private var messageKey: String {
        switch scanner.state {
        case .off, .starting: return "app.camera.starting"
        case .scanning: return "app.camera.scanning"
        case .denied: return "app.camera.permission"
        case .noCamera: return "app.camera.none"
        case .failed: return "app.camera.failed"
        case .interrupted: return "app.camera.interrupted"
        case .fullScreenOnly: return "app.camera.full_screen"
        }
    }
}

extension View {
    /// The phone's screen does not dim or lock by itself while this view is shown (the handover
    /// screens: codes are shown or scanned for a minute or more). The camera stops with its area.
    func screenKeptLit() -> some View {
        onAppear { UIApplication.shared.isIdleTimerDisabled = true }
            .onDisappear { UIApplication.shared.isIdleTimerDisabled = false }
    }
}
