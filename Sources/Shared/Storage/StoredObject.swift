/// What a backend knows about one stored object.
public struct StoredObject: Sendable, Equatable {
    public var name: String
    public var size: Int
    /// The media type it was stored with, when the backend keeps one.
    public var contentType: String?
    /// When it was last written, RFC 3339, when the backend says.
    public var updated: String?

    public init(name: String, size: Int, contentType: String? = nil, updated: String? = nil) {
        self.name = name
        self.size = size
        self.contentType = contentType
        self.updated = updated
    }
}

/// What a write did.
public enum ObjectWrite: Sendable, Equatable {
    case stored(StoredObject)
    /// A create-only write found the name taken: nothing was written (GCS 412).
    case alreadyStored
}

/// One page of objects.
public struct ObjectPage: Sendable, Equatable {
    public var objects: [StoredObject]
    /// Pass back to get the next page; nil on the last page.
    public var nextPageToken: String?

    public init(objects: [StoredObject], nextPageToken: String?) {
        self.objects = objects
        self.nextPageToken = nextPageToken
    }
}
