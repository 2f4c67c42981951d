/// What a backend knows about one stored object.
package struct StoredObject: Sendable, Equatable {
    package var name: String
    package var size: Int
    /// The media type it was stored with, when the backend keeps one.
    package var contentType: String?
    /// When it was last written, RFC 3339, when the backend says.
    package var updated: String?

    package init(name: String, size: Int, contentType: String? = nil, updated: String? = nil) {
        self.name = name
        self.size = size
        self.contentType = contentType
        self.updated = updated
    }
}

/// What a write did.
package enum ObjectWrite: Sendable, Equatable {
    case stored(StoredObject)
    /// A create-only write found the name taken: nothing was written (GCS 412).
    case alreadyStored
}

/// One page of objects.
package struct ObjectPage: Sendable, Equatable {
    package var objects: [StoredObject]
    /// Pass back to get the next page; nil on the last page.
    package var nextPageToken: String?

    package init(objects: [StoredObject], nextPageToken: String?) {
        self.objects = objects
        self.nextPageToken = nextPageToken
    }
}
