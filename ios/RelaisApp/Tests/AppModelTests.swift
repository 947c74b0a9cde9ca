import Relais
import XCTest
@testable import RelaisApp

/// The app's own logic, with the real core: set-up, the lock and what it forgets, the timeout, the
/// listeners that keep a form in progress, the language kept in settings. Run by
/// `xcodebuild test -scheme RelaisApp` (docs/ios.md) on a Mac; not run on the development machine.
@MainActor
final class AppModelTests: XCTestCase {
    func openedModel() throws -> AppModel {
        let model = try makeModel()
        XCTAssertFalse(model.vaultExists)
        try createVault(for: model)
        XCTAssertTrue(model.vaultExists)
        XCTAssertEqual(model.route, .home)
        return model
    }

    func testLockingForgetsTheScreenAndTheCaseAndGoesBackToUnlocking() throws {
        let model = try openedModel()
        let code = try model.requireVault().createCase()
        model.currentCase = code
        model.go(.cases)
        model.go(.caseDetail(code: code))
        model.lock()
        XCTAssertFalse(model.isUnlocked)
        XCTAssertNil(model.currentCase)
        XCTAssertNil(model.lastResult)
        XCTAssertEqual(model.route, .unlock)
        model.back()
        XCTAssertEqual(model.route, .unlock, "nothing to go back to once locked")
        XCTAssertThrowsError(try model.requireVault())
    }

    func testTheTimeoutLocksOnlyAfterTheChosenMinutesWithoutATouch() throws {
        let model = try openedModel()
        model.lockTimeoutMinutes = 2
        model.touch()
        model.checkTimeout(now: Date().addingTimeInterval(90))
        XCTAssertTrue(model.isUnlocked)
        model.checkTimeout(now: Date().addingTimeInterval(121))
        XCTAssertFalse(model.isUnlocked)
    }

    func testLockListenersRunWhileTheVaultIsStillOpen() throws {
        let model = try openedModel()
        var sawOpen = false
        let id = model.addLockListener { sawOpen = model.isUnlocked }
        model.lock()
        XCTAssertTrue(sawOpen)
        model.removeLockListener(id)
    }

    func testTheBackStackReturnsThroughTheScreensVisited() throws {
        let model = try openedModel()
        model.go(.cases)
        model.go(.caseDetail(code: "K-1"))
        model.replace(with: .referral(code: "K-1"))
        model.back()
        XCTAssertEqual(model.route, .cases)
        model.back()
        XCTAssertEqual(model.route, .home)
    }

    func testTextsFollowTheChosenLanguage() throws {
        let model = try makeModel()
        XCTAssertEqual(model.language, .fr)
        XCTAssertEqual(model.t("app.back"), "Retour")
        model.language = .es
        XCTAssertEqual(model.t("app.back"), "Volver")
        XCTAssertEqual(model.layoutDirection, .leftToRight)
    }
}
