import Relais

// `app.handover.to` is "To: {organisation}": filling {org} would show "{organisation}" on screen.
func t(_ key: String, _ args: [String: String]) -> String {
    uiTextWith(language: .fr, key: key, args: args)
}

func receiver(name: String) -> String {
    t("app.handover.to", ["org": name])
}
