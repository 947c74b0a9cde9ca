import Foundation

// The generated bindings (Generated/Relais.swift, written by scripts/build-ios) are the whole
// API; this file only adds what Swift code around them keeps needing.

extension Interview {
    /// Answers a yes/no or single-choice question by its option id.
    @discardableResult
    public func choose(_ optionId: String) -> Screen {
        choose(optionIds: [optionId])
    }
}

extension QrMatrix {
    /// Whether the module at (x, y) is dark; the matrix is `size` × `size`, row by row.
    public func isDark(x: Int, y: Int) -> Bool {
        modules[modules.startIndex + y * Int(size) + x] == 1
    }
}
